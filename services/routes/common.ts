/** Pieces of route schemas shared by the routes. */

/** The problem+json answers every API route may give, for the OpenAPI document. */
export const problemResponses = {
  '4XX': { description: 'Client error (RFC 7807 problem+json with OpenAI\'s error object).', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } },
  '5XX': { description: 'Server or upstream error (RFC 7807 problem+json).', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } },
} as const;
