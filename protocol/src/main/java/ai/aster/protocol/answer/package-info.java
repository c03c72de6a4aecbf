/** Final-answer extraction from a model's solution text ({@code \boxed{...}} with nested braces). */
package ai.aster.protocol.answer;
