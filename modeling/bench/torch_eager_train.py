"""Eager PyTorch fp32 baseline for modeling's training benchmark (TrainingBenchmark): a plain training step on the
same Qwen3 folder, with the model of torch_eager_decode.py (its loader and forward, every position's logits):
forward, token-mean cross-entropy over the loss mask, backward, clip_grad_norm_ (1.0), torch.optim.AdamW (betas
0.9/0.999, eps 1e-8, weight decay 0.01), zero_grad. The same work as PolicyTrainer.sftStep does in one micro-batch.

It loads the model once, prints "ready", then serves timing requests on stdin, so that the Java benchmark can
interleave its steps with this one's on a machine shared with other work:
    step BATCH LEN PROMPT, then a line of BATCH * LEN token ids  ->  "SECONDS CPU_SECONDS LOSS": wall clock and process
        CPU time of one training step on those sequences, whose loss mask is 0 on the first PROMPT tokens and 1 after
    quit
usage: /usr/bin/python3 torch_eager_train.py MODEL_DIR [--threads N]
Run with Debian's python3-torch (1.13) and OPENBLAS_NUM_THREADS=1 (see docs/benchmarks.md).
"""
import sys
import time

import torch
import torch.nn.functional as F

from torch_eager_decode import Qwen3


def step(model, params, optimizer, ids, prompt):
    batch, length = ids.shape
    mask = torch.zeros(batch, length - 1)
    mask[:, prompt - 1:] = 1  # target t+1 is trained when token t+1 is past the prompt
    start = time.perf_counter()
    cpu = time.process_time()
    logits = model.forward(ids, [None] * model.layers, last_only=False)
    losses = F.cross_entropy(logits[:, :-1].reshape(-1, model.vocab), ids[:, 1:].reshape(-1), reduction="none")
    loss = (losses * mask.reshape(-1)).sum() / mask.sum()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    optimizer.step()
    optimizer.zero_grad()
    seconds = time.perf_counter() - start
    return seconds, time.process_time() - cpu, loss.item()


def main():
    args = sys.argv[1:]
    model_dir = args[0]
    threads = 1
    i = 1
    while i < len(args):
        if args[i] == "--threads":
            threads = int(args[i + 1])
        else:
            sys.exit(f"unknown option {args[i]}")
        i += 2
    torch.set_num_threads(threads)
    model = Qwen3(model_dir)
    params = []
    for name, w in model.w.items():
        if not name.startswith("lm_head") or not model.cfg.get("tie_word_embeddings"):
            params.append(w.requires_grad_())
    optimizer = torch.optim.AdamW(params, lr=1e-5, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    count = sum(p.numel() for p in params)
    print(f"ready torch {torch.__version__}, {torch.get_num_threads()} threads, {count} parameters", flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            break
        batch, length, prompt = (int(p) for p in parts[1:4])
        ids = torch.tensor([int(t) for t in sys.stdin.readline().split()], dtype=torch.long).reshape(batch, length)
        seconds, cpu, loss = step(model, params, optimizer, ids, prompt)
        print(f"{seconds:.6f} {cpu:.6f} {loss:.6f}", flush=True)


if __name__ == "__main__":
    main()
