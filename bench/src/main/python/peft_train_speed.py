"""The PyTorch + PEFT peer of `bench/run train`: LoRA training speed and peak memory on the CPU.

Usage: peft_train_speed.py MODEL.gguf DATA.json THREADS
DATA.json (written by the Java side): {"batches": [[{"tokens": [...], "target": [0|1, ...]}, ...], ...],
"rank": R, "alpha": A, "dropout": D, "lr": LR, "warmup_steps": W, "adapter": DIR, "probe": {...}}. The model is
the same GGUF, dequantised to fp32 by transformers (gguf_file=). Each batch is one optimiser step; the first
warmup_steps steps are not timed. Afterwards the adapter our engine trained (DIR, PEFT layout) is loaded with
peft onto a fresh copy of the base and its logits on the probe tokens are compared with the engine's.
Prints one JSON line: tokens_per_second, peak_rss_mb, steps, losses, adapter_check.
"""
import json
import math
import resource
import sys
import time
from pathlib import Path

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def load_base(model_path):
    return AutoModelForCausalLM.from_pretrained(str(model_path.parent), gguf_file=model_path.name, dtype=torch.float32)


def check_adapter(model_path, adapter_dir, probe):
    """Our adapter through peft against our engine's logits for base + adapter (merged in F32)."""
    model = PeftModel.from_pretrained(load_base(model_path), adapter_dir)
    model.eval()
    ids = torch.tensor([probe["tokens"]], dtype=torch.long)
    sample = torch.tensor(probe["sample_ids"], dtype=torch.long)
    with torch.no_grad():
        adapted = model(input_ids=ids).logits[0]
        with model.disable_adapter():
            plain = model(input_ids=ids).logits[0]
    ours = torch.tensor(probe["sampled_logits"], dtype=torch.float32)
    diff = (adapted[:, sample] - ours).abs()
    top1 = adapted.argmax(dim=-1).tolist()
    return {"positions": len(top1), "mean_abs_diff": float(diff.mean()), "max_abs_diff": float(diff.max()),
            "top1_agree": sum(a == b for a, b in zip(top1, probe["top1"])),
            "adapter_effect": float((adapted[:, sample] - plain[:, sample]).abs().mean())}


def main():
    model_path, data_path, threads = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    spec = json.loads(data_path.read_text())
    base = load_base(model_path)
    model = get_peft_model(base, LoraConfig(r=spec["rank"], lora_alpha=spec["alpha"], lora_dropout=spec["dropout"],
                                            target_modules=TARGETS, task_type="CAUSAL_LM"))
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=spec["lr"], weight_decay=0.0)
    # The engine's schedule with no warm-up: cosine decay from lr to zero over the run (transformers'
    # get_cosine_schedule_with_warmup with 0 warm-up steps), so both sides take the same steps.
    total = len(spec["batches"])
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda t: 0.5 * (1 + math.cos(math.pi * t / total)))
    timed_tokens, timed_seconds, losses = 0, 0.0, []
    for step, batch in enumerate(spec["batches"]):
        # Sequences of one batch have the same length (the Java side makes them so), so no padding is needed.
        ids = torch.tensor([s["tokens"] for s in batch], dtype=torch.long)
        labels = ids.clone()
        labels[torch.tensor([s["target"] for s in batch]) == 0] = -100
        # The Java trainer predicts token i from tokens before it and masks by the predicted token's flag,
        # which is what transformers' shifted labels do.
        start = time.perf_counter()
        loss = model(input_ids=ids, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        elapsed = time.perf_counter() - start
        losses.append(float(loss))
        print(f"PyTorch+PEFT step {step + 1}/{len(spec['batches'])}: loss {float(loss):.3f}, "
              f"{ids.numel() / elapsed:.0f} tokens/s", file=sys.stderr, flush=True)
        if step >= spec["warmup_steps"]:
            timed_tokens += ids.numel()
            timed_seconds += elapsed
    # Peak memory of training alone: read before the compatibility check loads a second copy of the base.
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    del model, base, optimizer, schedule
    check = check_adapter(model_path, spec["adapter"], spec["probe"])
    print(json.dumps({"tokens_per_second": timed_tokens / timed_seconds, "peak_rss_mb": peak_kb / 1024,
                      "steps": len(spec["batches"]), "losses": losses, "adapter_check": check}))


if __name__ == "__main__":
    main()
