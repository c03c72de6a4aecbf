package ai.aster.model.engine;

import java.util.List;

/**
 * One sequence's share of an engine step (scheduler to runner hand-off).
 *
 * @param seq      the sequence whose cache receives {@code tokens}
 * @param tokens   the new tokens to feed: a prompt chunk, or the last sampled token
 * @param samplers who samples from the logits after {@code tokens}: empty for a prompt chunk that is not the last,
 *                 {@code seq} for a decode, {@code seq} and its forks at the end of an {@code n} > 1 prompt
 * @param forks    choices that get a copy of {@code seq}'s cache once the prompt is in it
 */
public record Work(Sequence seq, int[] tokens, List<Sequence> samplers, List<Sequence> forks) {}
