package ai.aster.model.engine;

import ai.aster.modeling.Sample;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Decides who runs in each engine step and owns every sequence transition (waiting, running, preempted, finished),
 * never touching tensors. Each step the running requests, oldest first, advance: a decoding sequence by one token,
 * a prompt (or a recompute) by a chunk of what is left of the step's token budget, keeping one token for each
 * running sequence after it. Every step's KV growth is reserved with the {@link KvCacheManager} first; when it does
 * not fit, the newest running request is preempted (its caches freed, it goes back to the front of the queue and is
 * recomputed from its token ids when admitted again, as vLLM v1 does). Waiting requests join while there are batch
 * slots, token budget and KV memory, and nobody was preempted in this step. Used by the engine thread only.
 */
public final class Scheduler {

    private final int maxBatchSize;
    private final int maxTokensPerStep;
    private final KvCacheManager caches;
    /** Creates the sampler of choice i of a request (seeded per choice). */
    private final SequenceFactory sequences;
    /** New requests in arrival order, preempted ones in front (oldest first). */
    private final ArrayDeque<RequestState> waiting = new ArrayDeque<>();
    /** Admission order: the last is the newest, the first to be preempted. */
    private final List<RequestState> running = new ArrayList<>();
    private volatile long preemptions;

    /** Builds a request's sequences; lives outside so the scheduler knows nothing about sampling. */
    public interface SequenceFactory {
        Sequence create(RequestState request, int index, Sequence.Status status);
    }

    /** A token the runner sampled for a sequence, for the output processor. */
    record Sampled(Sequence seq, Sample sample) {}

    public Scheduler(int maxBatchSize, int maxTokensPerStep, KvCacheManager caches, SequenceFactory sequences) {
        this.maxBatchSize = maxBatchSize;
        // every running sequence must be able to decode in every step
        this.maxTokensPerStep = Math.max(maxTokensPerStep, maxBatchSize);
        this.caches = caches;
        this.sequences = sequences;
    }

    void add(RequestState request) {
        waiting.add(request);
    }

    /**
     * Removes requests whose client went away (waiting or running) and frees their caches.
     *
     * @param droppedAdmitted receives the dropped requests that had been admitted (running or preempted)
     * @return how many never-admitted requests were removed (they leave the queue count)
     */
    int dropCancelled(List<RequestState> droppedAdmitted) {
        int droppedNew = 0;
        for (Iterator<RequestState> it = waiting.iterator(); it.hasNext(); ) {
            RequestState request = it.next();
            if (request.cancelled) {
                it.remove();
                if (request.sequences.isEmpty()) {
                    droppedNew++;
                } else {
                    abort(request);
                    droppedAdmitted.add(request);
                }
            }
        }
        for (Iterator<RequestState> it = running.iterator(); it.hasNext(); ) {
            RequestState request = it.next();
            if (request.cancelled) {
                it.remove();
                abort(request);
                droppedAdmitted.add(request);
            }
        }
        return droppedNew;
    }

    private void abort(RequestState request) {
        for (Sequence seq : request.sequences) {
            if (!seq.finished()) {
                caches.release(seq);
                seq.status = Sequence.Status.FINISHED;
                seq.finishReason = "abort";
            }
        }
    }

    /**
     * Plans one step.
     *
     * @param admitNew false while a weights swap waits for the running requests to drain (preempted requests,
     *                 admitted before, still come back)
     * @param admitted receives the requests admitted for the first time in this step (they leave the queue count)
     * @param unfit    receives requests that do not fit in the KV budget even alone (the input processor refuses
     *                 those; this keeps the engine from waiting for them forever); they leave the scheduler
     */
    SchedulerOutput schedule(boolean admitNew, List<RequestState> admitted, List<RequestState> unfit) {
        List<Work> works = new ArrayList<>();
        int[] budget = {maxTokensPerStep};
        boolean preempted = false;
        for (int r = 0; r < running.size(); r++) {
            RequestState request = running.get(r);
            for (Sequence seq : request.sequences) {
                if (seq.status != Sequence.Status.RUNNING) {
                    continue;
                }
                int left = seq.uncomputed();
                int take = left == 1 ? 1 : Math.min(left, budget[0] - runningAfter(seq));
                if (take <= 0) {
                    continue;
                }
                List<Sequence> forks = take == left ? waitingForks(seq) : List.of();
                boolean ownPreempted = false;
                while (!caches.reserve(seq, seq.computed + take, forks)) {
                    RequestState victim = running.get(running.size() - 1);
                    boolean alone = running.size() == 1;
                    preempt(victim, works, budget);
                    preempted = true;
                    if (victim == request) {
                        if (alone) {
                            waiting.remove(request);
                            unfit.add(request);
                        }
                        ownPreempted = true;
                        break;
                    }
                }
                if (ownPreempted) {
                    r--; // the request left the list: the next one moved to index r
                    break;
                }
                works.add(work(seq, take, forks));
                budget[0] -= take;
            }
        }
        while (!preempted && budget[0] > 0 && !waiting.isEmpty()) {
            RequestState request = waiting.peek();
            boolean fresh = request.sequences.isEmpty();
            if (fresh && !admitNew) {
                break;
            }
            int joining = fresh ? request.request.n() : unfinished(request);
            int inBatch = runningSequences();
            if (inBatch > 0 && inBatch + joining > maxBatchSize) {
                break;
            }
            if (fresh) {
                request.sequences.add(sequences.create(request, 0, Sequence.Status.PREEMPTED));
                for (int i = 1; i < request.request.n(); i++) {
                    request.sequences.add(sequences.create(request, i, Sequence.Status.WAITING_FORK));
                }
            }
            if (!admit(request, works, budget)) {
                if (fresh) {
                    request.sequences.clear(); // still never admitted: it holds nothing
                }
                if (running.isEmpty() && budget[0] == maxTokensPerStep) {
                    waiting.poll(); // nothing else holds memory or budget: it will never fit
                    unfit.add(request);
                    continue;
                }
                break;
            }
            waiting.poll();
            running.add(request);
            if (fresh) {
                admitted.add(request);
            }
        }
        return new SchedulerOutput(works, prefillTokens(works));
    }

    /** Gives every cache-less sequence of {@code request} a cache and its first chunk; all or nothing. */
    private boolean admit(RequestState request, List<Work> works, int[] budget) {
        List<Sequence> attached = new ArrayList<>();
        int worksBefore = works.size();
        int budgetBefore = budget[0];
        for (Sequence seq : request.sequences) {
            if (seq.status != Sequence.Status.PREEMPTED) {
                continue;
            }
            int cached = caches.cachedPrefix(seq);
            int take = Math.min(seq.length() - cached, budget[0]);
            List<Sequence> forks = cached + take == seq.length() ? waitingForks(seq) : List.of();
            if (take <= 0 || !caches.reserve(seq, cached + take, forks)) {
                caches.forgetPending();
                for (Sequence s : request.sequences) {
                    if (attached.contains(s) || s.status == Sequence.Status.WAITING_FORK) {
                        caches.discard(s);
                    }
                }
                for (Sequence s : attached) {
                    s.status = Sequence.Status.PREEMPTED;
                }
                works.subList(worksBefore, works.size()).clear();
                budget[0] = budgetBefore;
                return false;
            }
            caches.attach(seq);
            seq.status = Sequence.Status.RUNNING;
            attached.add(seq);
            // the copy covers what was matched (a fresh cache starts at 0, within the same reservation)
            take = Math.min(seq.uncomputed(), take);
            works.add(work(seq, take, seq.computed + take == seq.length() ? forks : List.of()));
            budget[0] -= take;
        }
        return true;
    }

    /** Frees a running request's caches and puts it at the front of the queue, to be recomputed. */
    private void preempt(RequestState victim, List<Work> works, int[] budget) {
        running.remove(victim);
        for (Iterator<Work> it = works.iterator(); it.hasNext(); ) {
            Work work = it.next();
            if (work.seq().owner == victim) {
                budget[0] += work.tokens().length;
                it.remove();
            }
        }
        for (Sequence seq : victim.sequences) {
            if (seq.status == Sequence.Status.RUNNING) {
                caches.discard(seq);
                seq.status = Sequence.Status.PREEMPTED;
            } else if (seq.status == Sequence.Status.WAITING_FORK) {
                caches.discard(seq); // a fork reservation made for a step that will not run
            }
        }
        waiting.addFirst(victim);
        preemptions++;
    }

    /**
     * After a forced weights swap: every running request drops its cache (it belongs to the old weights) and is
     * recomputed from its token ids on the new ones, oldest first, before any new request.
     */
    void recomputeAll() {
        List<Work> none = new ArrayList<>();
        int[] budget = {0};
        while (!running.isEmpty()) {
            preempt(running.get(running.size() - 1), none, budget);
            preemptions--; // not for memory
        }
    }

    private Work work(Sequence seq, int take, List<Sequence> forks) {
        int[] tokens = seq.tokens(seq.computed, seq.computed + take);
        if (seq.computed + take < seq.length()) {
            return new Work(seq, tokens, List.of(), List.of()); // a chunk, more to come
        }
        List<Sequence> samplers = new ArrayList<>(1 + forks.size());
        samplers.add(seq);
        samplers.addAll(forks);
        return new Work(seq, tokens, samplers, List.copyOf(forks));
    }

    /** Choices still waiting for {@code seq}'s prompt (only choice 0 has any). */
    private static List<Sequence> waitingForks(Sequence seq) {
        List<Sequence> forks = new ArrayList<>();
        if (seq.index == 0) {
            for (Sequence s : seq.owner.sequences) {
                if (s.status == Sequence.Status.WAITING_FORK) {
                    forks.add(s);
                }
            }
        }
        return forks;
    }

    /** Running sequences after {@code seq} in batch order: each keeps one token of the step's budget. */
    private int runningAfter(Sequence seq) {
        int after = 0;
        boolean seen = false;
        for (RequestState request : running) {
            for (Sequence s : request.sequences) {
                if (s == seq) {
                    seen = true;
                } else if (seen && s.status == Sequence.Status.RUNNING) {
                    after++;
                }
            }
        }
        return after;
    }

    private static int unfinished(RequestState request) {
        int n = 0;
        for (Sequence s : request.sequences) {
            if (!s.finished()) {
                n++;
            }
        }
        return n;
    }

    private static int prefillTokens(List<Work> works) {
        int total = 0;
        for (Work w : works) {
            if (w.tokens().length > 1) {
                total += w.tokens().length;
            }
        }
        return total;
    }

    /**
     * Applies a step's result: computed counts and forks. Returns what each sampler drew; the requests of works that
     * failed go to {@code failed} (the caller fails them, and skips their samples).
     */
    List<Sampled> update(SchedulerOutput plan, RunnerOutput result, List<RequestState> failed) {
        List<Sampled> sampled = new ArrayList<>();
        for (int i = 0; i < plan.works().size(); i++) {
            Work work = plan.works().get(i);
            Sequence seq = work.seq();
            if (result.failed(i)) {
                if (!failed.contains(seq.owner)) {
                    failed.add(seq.owner);
                }
                continue;
            }
            seq.computed += work.tokens().length;
            if (!work.forks().isEmpty()) {
                caches.fork(seq, work.forks());
                for (Sequence fork : work.forks()) {
                    fork.status = Sequence.Status.RUNNING;
                }
            }
            List<Sample> samples = result.samples().get(i);
            for (int j = 0; j < samples.size(); j++) {
                sampled.add(new Sampled(work.samplers().get(j), samples.get(j)));
            }
        }
        return sampled;
    }

    /** A sequence ended: it leaves the batch and its cache goes to the prefix cache; so does a finished request. */
    void finish(Sequence seq) {
        caches.release(seq);
        seq.status = Sequence.Status.FINISHED;
        if (seq.owner.allFinished()) {
            running.remove(seq.owner);
        }
    }

    /** A request that cannot go on (its step failed, or the engine stops): its caches are closed. */
    void fail(RequestState request) {
        for (Sequence seq : request.sequences) {
            if (!seq.finished()) {
                caches.discard(seq);
                seq.status = Sequence.Status.FINISHED;
            }
        }
        running.remove(request);
        waiting.remove(request);
    }

    /** Requests admitted and not finished: running, or preempted and waiting to be recomputed. */
    int inFlightRequests() {
        int preempted = 0;
        for (RequestState r : waiting) {
            if (!r.sequences.isEmpty()) {
                preempted++;
            }
        }
        return running.size() + preempted;
    }

    /** Sequences in the batch (a choice waiting for its fork counts: its slot is taken). */
    int runningSequences() {
        int n = 0;
        for (RequestState r : running) {
            n += unfinished(r);
        }
        return n;
    }

    int waitingCount() {
        return waiting.size();
    }

    boolean hasWork() {
        return !running.isEmpty() || !waiting.isEmpty();
    }

    /** Requests preempted for memory so far. */
    long preemptions() {
        return preemptions;
    }

    /** All requests still held (waiting or running), e.g. to fail them on shutdown. */
    List<RequestState> allRequests() {
        List<RequestState> all = new ArrayList<>(waiting);
        all.addAll(running);
        return all;
    }
}
