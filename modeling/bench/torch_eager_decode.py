"""Eager PyTorch fp32 baseline for modeling's decode benchmark: the same Qwen3 folder, decoded the way Hugging Face
transformers does it in eager mode on the CPU (modeling_qwen3.py's eager attention, a KV cache grown with torch.cat,
logits for the last position only, then generate()'s logits processors: temperature, TopPLogitsWarper's full sort,
softmax and torch.multinomial; argmax when greedy).

It loads the model once, prints "ready", then serves timing requests on stdin so that the Java benchmark can
interleave its rounds with this one's on a machine shared with other work:
    greedy|sample TOKENS SEED   ->  seconds for prefill of a 16-token prompt plus TOKENS decode steps
    quit
usage: /usr/bin/python3 torch_eager_decode.py MODEL_DIR [--threads N] [--temperature T] [--top-p P]
Run with Debian's python3-torch (1.13) and OPENBLAS_NUM_THREADS=1 (see docs/benchmarks.md).
"""
import json
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        b, e = t["data_offsets"]
        raw = np.frombuffer(data, dtype="<u2" if t["dtype"] == "BF16" else "<f4", count=(e - b) // (2 if t["dtype"] == "BF16" else 4), offset=b)
        if t["dtype"] == "BF16":
            raw = (raw.astype(np.uint32) << 16).view(np.float32)
        elif t["dtype"] != "F32":
            raise ValueError(t["dtype"])
        out[name] = torch.from_numpy(raw.copy()).reshape(t["shape"])
    return out


class Qwen3:
    def __init__(self, model_dir):
        with open(f"{model_dir}/config.json") as f:
            self.cfg = json.load(f)
        self.w = load_safetensors(f"{model_dir}/model.safetensors")
        c = self.cfg
        self.h, self.nh, self.nkv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
        self.d = c.get("head_dim", self.h // self.nh)
        self.eps = c["rms_norm_eps"]
        self.layers = c["num_hidden_layers"]
        self.vocab = c["vocab_size"]
        self.lm_head = self.w["model.embed_tokens.weight"] if c.get("tie_word_embeddings") else self.w["lm_head.weight"]
        inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, self.d, 2, dtype=torch.float32) / self.d))
        freqs = torch.outer(torch.arange(c["max_position_embeddings"], dtype=torch.float32), inv_freq)
        emb = torch.cat([freqs, freqs], dim=-1)
        self.cos, self.sin = emb.cos(), emb.sin()

    def rms(self, x, weight):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * weight

    @staticmethod
    def rotate_half(x):
        half = x.shape[-1] // 2
        return torch.cat((-x[..., half:], x[..., :half]), dim=-1)

    def forward(self, ids, cache, last_only=True):
        """ids (b, n); cache: list of (k, v) per layer or None; returns last-position logits (b, vocab), or with
        last_only=False the logits of every position (b, n, vocab) (torch_eager_train.py's training forward)."""
        b, n = ids.shape
        past = 0 if cache[0] is None else cache[0][0].shape[2]
        x = F.embedding(ids, self.w["model.embed_tokens.weight"])
        cos = self.cos[past:past + n][None, None]
        sin = self.sin[past:past + n][None, None]
        group = self.nh // self.nkv
        mask = None
        if n > 1:
            mask = torch.full((n, past + n), float("-inf")).triu(past + 1)
        for i in range(self.layers):
            p = f"model.layers.{i}."
            w = self.w
            hs = self.rms(x, w[p + "input_layernorm.weight"])
            q = F.linear(hs, w[p + "self_attn.q_proj.weight"]).view(b, n, self.nh, self.d)
            k = F.linear(hs, w[p + "self_attn.k_proj.weight"]).view(b, n, self.nkv, self.d)
            v = F.linear(hs, w[p + "self_attn.v_proj.weight"]).view(b, n, self.nkv, self.d).transpose(1, 2)
            q = self.rms(q, w[p + "self_attn.q_norm.weight"]).transpose(1, 2)
            k = self.rms(k, w[p + "self_attn.k_norm.weight"]).transpose(1, 2)
            q = q * cos + self.rotate_half(q) * sin
            k = k * cos + self.rotate_half(k) * sin
            if cache[i] is not None:
                k = torch.cat([cache[i][0], k], dim=2)
                v = torch.cat([cache[i][1], v], dim=2)
            cache[i] = (k, v)
            kr = k[:, :, None].expand(b, self.nkv, group, k.shape[2], self.d).reshape(b, self.nh, k.shape[2], self.d)
            vr = v[:, :, None].expand(b, self.nkv, group, v.shape[2], self.d).reshape(b, self.nh, v.shape[2], self.d)
            scores = torch.matmul(q, kr.transpose(2, 3)) * (self.d ** -0.5)
            if mask is not None:
                scores = scores + mask
            probs = F.softmax(scores, dim=-1, dtype=torch.float32)
            o = torch.matmul(probs, vr).transpose(1, 2).reshape(b, n, self.nh * self.d)
            x = x + F.linear(o, w[p + "self_attn.o_proj.weight"])
            hs = self.rms(x, w[p + "post_attention_layernorm.weight"])
            x = x + F.linear(F.silu(F.linear(hs, w[p + "mlp.gate_proj.weight"])) * F.linear(hs, w[p + "mlp.up_proj.weight"]),
                             w[p + "mlp.down_proj.weight"])
        if not last_only:
            return F.linear(self.rms(x, self.w["model.norm.weight"]), self.lm_head)
        x = self.rms(x[:, -1:, :], self.w["model.norm.weight"])
        return F.linear(x, self.lm_head)[:, -1, :].float()


def top_p_warp(scores, top_p):
    """transformers' TopPLogitsWarper (min_tokens_to_keep 1)."""
    sorted_logits, sorted_indices = torch.sort(scores, descending=False)
    cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
    remove = cumulative_probs <= (1 - top_p)
    remove[..., -1:] = 0
    indices_to_remove = remove.scatter(1, sorted_indices, remove)
    return scores.masked_fill(indices_to_remove, -float("inf"))


def run(model, mode, tokens, seed, temperature, top_p):
    gen = torch.Generator().manual_seed(seed)
    prompt = torch.randint(0, 256, (1, 16), generator=gen)
    start = time.perf_counter()
    with torch.no_grad():
        cache = [None] * model.layers
        logits = model.forward(prompt, cache)
        for _ in range(tokens):
            if mode == "greedy":
                nxt = torch.argmax(logits, dim=-1, keepdim=True)
            else:
                scores = logits / temperature
                if top_p < 1.0:
                    scores = top_p_warp(scores, top_p)
                nxt = torch.multinomial(F.softmax(scores, dim=-1), num_samples=1, generator=gen)
            logits = model.forward(nxt, cache)
    return time.perf_counter() - start


def main():
    args = sys.argv[1:]
    model_dir = args[0]
    threads, temperature, top_p = 1, 0.6, 0.95
    i = 1
    while i < len(args):
        if args[i] == "--threads":
            threads = int(args[i + 1])
        elif args[i] == "--temperature":
            temperature = float(args[i + 1])
        elif args[i] == "--top-p":
            top_p = float(args[i + 1])
        else:
            sys.exit(f"unknown option {args[i]}")
        i += 2
    torch.set_num_threads(threads)
    model = Qwen3(model_dir)
    print(f"ready torch {torch.__version__}, {torch.get_num_threads()} threads, vocab {model.vocab}", flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            break
        seconds = run(model, parts[0], int(parts[1]), int(parts[2]), temperature, top_p)
        print(f"{seconds:.6f}", flush=True)


if __name__ == "__main__":
    main()
