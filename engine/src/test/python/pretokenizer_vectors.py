"""Records how Hugging Face's `tokenizers` splits text with the GPT-2, Llama 3 and Qwen2 pre-tokenizer regexes
(and SmolLM2's digits-then-GPT-2 sequence), so PreTokenizerTest can check Java's regex engine against
Oniguruma's on the same corpus as the llama.cpp token vectors. No vocabulary is needed for this.

Run from the repository root (needs `pip install tokenizers`):
    ~/.cache/iteralign/venv/bin/python engine/src/test/python/pretokenizer_vectors.py
"""
import json
import pathlib

from tokenizers import Regex, pre_tokenizers

RESOURCES = pathlib.Path(__file__).resolve().parents[1] / "resources/org/iteralign/engine/tokenizer"

# The regexes as the models' tokenizer.json files write them.
LLAMA3 = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
          r"|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2 = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
         r"|\s*[\r\n]+|\s+(?!\S)|\s+")

SPLITTERS = {
    "gpt2": pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    "smollm": pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                       pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)]),
    "llama3": pre_tokenizers.Split(Regex(LLAMA3), behavior="isolated"),
    "qwen2": pre_tokenizers.Split(Regex(QWEN2), behavior="isolated"),
}


def main():
    corpus = [case["text"] for case in json.loads((RESOURCES / "smollm2-llamacpp-vectors.json").read_text("utf-8"))["cases"]]
    corpus += ["I'M 12345 abc", "x\r\n\r\ny", "  \n\n  end", "a  \tb", "'''s 's 'S"]
    cases = []
    for text in corpus:
        case = {"text": text}
        for name, splitter in SPLITTERS.items():
            pieces = [piece for piece, _ in splitter.pre_tokenize_str(text)]
            if name in ("gpt2", "smollm"):
                # ByteLevel also maps bytes to its alphabet; undo that to compare plain text pieces.
                pieces = [bytes(BYTE_OF[c] for c in piece).decode("utf-8", errors="replace") for piece in pieces]
            case[name] = pieces
        cases.append(case)
    with open(RESOURCES / "pretokenizer-vectors.json", "w", encoding="utf-8") as out:
        out.write('{"cases": [\n')
        out.write(",\n".join(json.dumps(case, ensure_ascii=False) for case in cases))
        out.write("\n]}\n")


def byte_alphabet():
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    chars = {b: chr(b) for b in printable}
    shifted = 0
    for b in range(256):
        if b not in chars:
            chars[b] = chr(256 + shifted)
            shifted += 1
    return {c: b for b, c in chars.items()}


BYTE_OF = byte_alphabet()

if __name__ == "__main__":
    main()
