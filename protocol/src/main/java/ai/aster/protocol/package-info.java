/**
 * The wire formats every ASTER service shares: OpenAI-compatible request and response records ({@code openai}),
 * the sandbox execution contract ({@code sandbox}) and the trajectory schema ({@code trajectory}).
 * Plain records with Jackson annotations; no framework. Services map these into their own domain types at the edge.
 */
package ai.aster.protocol;
