import AjvCompiler, { type Options as AjvOptions, type ValidatorFactory } from '@fastify/ajv-compiler';

/**
 * Fastify's request validators (its own Ajv compiler and options), except that a request body is
 * never coerced. Fastify coerces types in every part of a request, which querystrings and path
 * parameters need (they are text: `?latest=3` is the integer 3), but a JSON body carries its own
 * types: coerced, `"key": ["a"]` was written as key "a", `"name": 5` made a view "5" and
 * `"writes": {…}` a batch of one, where the library refuses them. For Fastify's
 * `schemaController.compilersFactory.buildValidator`.
 */
export const bodiesUncoerced: ValidatorFactory = (externalSchemas, options) => {
  const pool = AjvCompiler();
  const coercing = pool(externalSchemas, options);
  const exact = pool(externalSchemas, {
    plugins: options?.plugins,
    onCreate: options?.onCreate,
    customOptions: { ...(options?.customOptions as AjvOptions | undefined), coerceTypes: false },
  });
  return (route) => (route.httpPart === 'body' ? exact : coercing)(route);
};
