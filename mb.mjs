import { open } from 'lmdb';
import { createHash, hash } from 'node:crypto';
import { rmSync } from 'node:fs';
rmSync('/tmp/mb/db',{recursive:true,force:true});
const db = open({ path: '/tmp/mb/db' });
const bin = db.openDB({ name: 'bin', encoding: 'binary', keyEncoding: 'binary' });
const doc = { id: 12345, name: 'Alice Example', email: 'alice@example.com', tags: ['a','b','c'], address: { city: 'Paris', zip: '75001' }, score: 98.5, active: true, bio: 'x'.repeat(40) };
const N=10000;
for (let i=0;i<N;i++){ db.putSync('k'+i, doc); bin.putSync(Buffer.from('k'+i), Buffer.from(JSON.stringify(doc))); }
console.log(JSON.stringify(doc).length);
function t(name, f){ const M=200000; let s=process.hrtime.bigint(); for(let i=0;i<M;i++) f(i%N); const ns=Number(process.hrtime.bigint()-s)/M; console.log(name, ns.toFixed(0),'ns'); }
for (let r=0;r<2;r++){
t('raw get', i=>db.get('k'+i));
t('bin get', i=>bin.getBinaryFast(Buffer.from('k'+i)));
t('bin get+parse', i=>JSON.parse(bin.getBinaryFast(Buffer.from('k'+i)).toString()));
const s=JSON.stringify(doc);
t('hash', i=>hash('sha256', s));
t('createHash', i=>createHash('sha256').update(s).digest('hex'));
t('parse', i=>JSON.parse(s));
t('structuredClone', i=>structuredClone(doc));
t('bin get+parse+hash', i=>{const b=bin.getBinaryFast(Buffer.from('k'+i)); hash('sha256', b); return JSON.parse(b.toString())});
}
