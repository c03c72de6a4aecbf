"""Independent numpy (float64) implementation of Hugging Face's Qwen3ForCausalLM forward pass, used to produce the
reference logits in src/test/resources/qwen3_reference_logits.json that Qwen3ReferenceTest compares the Java decoder
against. Follows transformers' modeling_qwen3.py: RMSNorm in float, q/k RMSNorm per head before RoPE, rotate_half
RoPE with inv_freq = theta^(-2i/d), repeat_kv grouping (query head h uses kv head h // group), causal softmax
attention scaled by head_dim^-0.5, SiLU-gated MLP, tied or separate lm_head.

usage: python3 qwen3_reference.py MODEL_DIR OUT_JSON   (MODEL_DIR made by `ModelInit DIR` with default options)
"""
import json
import struct
import sys

import numpy as np


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
        raw = data[b:e]
        if t["dtype"] == "F32":
            arr = np.frombuffer(raw, dtype="<f4").astype(np.float64)
        elif t["dtype"] == "BF16":
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32).astype(np.float64)
        else:
            raise ValueError(t["dtype"])
        out[name] = arr.reshape(t["shape"])
    return out


def rms_norm(x, w, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def rotate_half(x):
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], axis=-1)


def forward(cfg, w, ids):
    h, nh, nkv, d = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
    eps, theta = cfg["rms_norm_eps"], cfg["rope_theta"]
    t = len(ids)
    x = w["model.embed_tokens.weight"][ids]  # (t, h)
    inv_freq = 1.0 / (theta ** (np.arange(0, d, 2) / d))
    freqs = np.outer(np.arange(t), inv_freq)
    emb = np.concatenate([freqs, freqs], axis=-1)
    cos, sin = np.cos(emb)[:, None, :], np.sin(emb)[:, None, :]  # (t, 1, d)
    mask = np.triu(np.full((t, t), -np.inf), k=1)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        hs = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = (hs @ w[p + "self_attn.q_proj.weight"].T).reshape(t, nh, d)
        k = (hs @ w[p + "self_attn.k_proj.weight"].T).reshape(t, nkv, d)
        v = (hs @ w[p + "self_attn.v_proj.weight"].T).reshape(t, nkv, d)
        q = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps)
        k = rms_norm(k, w[p + "self_attn.k_norm.weight"], eps)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        group = nh // nkv
        out = np.zeros((t, nh, d))
        for head in range(nh):
            kv = head // group
            scores = (q[:, head, :] @ k[:, kv, :].T) / np.sqrt(d) + mask
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            probs = scores / scores.sum(axis=-1, keepdims=True)
            out[:, head, :] = probs @ v[:, kv, :]
        x = x + out.reshape(t, nh * d) @ w[p + "self_attn.o_proj.weight"].T
        hs = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = hs @ w[p + "mlp.gate_proj.weight"].T
        up = hs @ w[p + "mlp.up_proj.weight"].T
        x = x + (gate / (1 + np.exp(-gate)) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else w["lm_head.weight"]
    return x @ head.T  # (t, vocab)


def main():
    model_dir, out_path = sys.argv[1], sys.argv[2]
    cfg = json.load(open(f"{model_dir}/config.json"))
    w = load_safetensors(f"{model_dir}/model.safetensors")
    ids = [257, 72, 101, 108, 108, 111, 44, 32, 119, 111, 114, 108, 100, 33, 258, 10, 259, 123, 34, 120, 34, 125]
    logits = forward(cfg, w, ids)
    json.dump({"tokens": ids, "positions": {str(p): logits[p].tolist() for p in (0, 7, len(ids) - 1)}},
              open(out_path, "w"))
    print("wrote", out_path, "logits shape", logits.shape)


if __name__ == "__main__":
    main()
