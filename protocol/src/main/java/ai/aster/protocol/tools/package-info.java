/**
 * Tool-call protocols ({@code hermes}, the default, and {@code markdown}): the stop strings a turn decodes up to,
 * parsing a completion into a call / none / malformed, and the result text shown to the model. No framework.
 */
package ai.aster.protocol.tools;
