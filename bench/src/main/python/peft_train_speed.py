"""The PyTorch + PEFT peer of `bench/run train`: LoRA training speed and peak memory on the CPU.

Usage: peft_train_speed.py MODEL.gguf DATA.json THREADS
DATA.json (written by the Java side): {"batches": [[{"tokens": [...], "target": [0|1, ...]}, ...], ...],
"rank": R, "alpha": A, "dropout": D, "lr": LR, "warmup_steps": W}. The model is the same GGUF, dequantised
to fp32 by transformers (gguf_file=). Each batch is one optimiser step; the first warmup_steps steps are not
timed. Prints one JSON line: tokens_per_second, peak_rss_mb, steps, losses.
"""
import json
import resource
import sys
import time
from pathlib import Path

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def main():
    model_path, data_path, threads = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    spec = json.loads(data_path.read_text())
    base = AutoModelForCausalLM.from_pretrained(str(model_path.parent), gguf_file=model_path.name,
                                                dtype=torch.float32)
    model = get_peft_model(base, LoraConfig(r=spec["rank"], lora_alpha=spec["alpha"], lora_dropout=spec["dropout"],
                                            target_modules=TARGETS, task_type="CAUSAL_LM"))
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=spec["lr"], weight_decay=0.0)
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
        optimizer.zero_grad(set_to_none=True)
        elapsed = time.perf_counter() - start
        losses.append(float(loss))
        print(f"PyTorch+PEFT step {step + 1}/{len(spec['batches'])}: loss {float(loss):.3f}, "
              f"{ids.numel() / elapsed:.0f} tokens/s", file=sys.stderr, flush=True)
        if step >= spec["warmup_steps"]:
            timed_tokens += ids.numel()
            timed_seconds += elapsed
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"tokens_per_second": timed_tokens / timed_seconds, "peak_rss_mb": peak_kb / 1024,
                      "steps": len(spec["batches"]), "losses": losses}))


if __name__ == "__main__":
    main()
