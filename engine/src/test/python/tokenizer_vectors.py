"""Records llama.cpp's token ids for a corpus of tricky strings, as reference vectors for the Java tokenizer.

Run (from the repository root, with the project's venv that has llama-cpp-python installed):
    ~/.cache/iteralign/venv/bin/python engine/src/test/python/tokenizer_vectors.py \
        /path/to/SmolLM2-135M-Instruct.Q4_1.gguf \
        engine/src/test/resources/org/iteralign/engine/tokenizer/smollm2-llamacpp-vectors.json

Each case holds the text, llama.cpp's ids with special=False (special-token text is plain text) and with
special=True (control tokens recognised), both without BOS. The random cases are drawn with a fixed seed
from an alphabet of scripts, digits, whitespace and punctuation, so re-running gives the same corpus.
"""
import json
import random
import sys

CORPUS = [
    "",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n\n",
    "Hello world",
    " Hello world",
    "Hello  world",
    "Hello   world   ",
    "hello\tworld\t\tagain",
    "line one\nline two\r\nline three\n\n  indented",
    "    four leading spaces",
    "trailing spaces    ",
    "a \n b \t\n c",
    "I'm sure you'll see it's what we've said they'd do",
    "I'M SHOUTING AND IT'S LOUD",
    "don't won't can't shan't y'all",
    "1234567890",
    "3.14159265358979 and 2^64 = 18446744073709551616",
    "Phone: +1 (555) 123-4567, year 2024!",
    "1,000,000.00 dollars",
    "Emoji: 😀😃😄 👍🏽 🧑‍🚀 🇫🇷",
    "中文分词测试：你好，世界！",
    "日本語のテキストです。カタカナとひらがな",
    "한국어 문장입니다",
    "مرحبا بالعالم، كيف حالك؟",
    "Привет, мир! Ёлка.",
    "Ελληνικά γράμματα",
    "हिन्दी में लिखा पाठ",
    "café naïve résumé Ångström",
    "e\u0301 combining accent",
    "def f(x):\n    return x ** 2  # square\n",
    "for (int i = 0; i < n; i++) { sum += a[i]; }",
    "<html><body class=\"x\">&amp;</body></html>",
    "https://example.com/path?query=1&b=two#frag",
    "user@example.com",
    "$$\\frac{a}{b}$$ and `code` and **bold**",
    "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n",
    "<|endoftext|>",
    "text<|im_end|>more",
    "<|im_start|><|im_start|>",
    "<repo_name>x<file_sep>",
    "<|im_start |> not special",
    "!!!???...,,,;;;",
    "----====____****",
    "a\u00a0b\u2003c\u3000d",
    "\u200bzero width",
    "Mixed: English, 中文, العربية, русский, 123",
    "Ｆｕｌｌｗｉｄｔｈ ｌｅｔｔｅｒｓ １２３",
    "٣ arabic-indic digits ١٢٣ and ² ½",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math letters 𝟘𝟙𝟚",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "                                                                ",
    "The quick brown fox jumps over the lazy dog.",
    "control \x04 and \x7f bytes; \x04 has no token in SmolLM2's vocabulary",
    "plane-5 \U00050000 character, whose lead byte 0xF1 has no token",
]

ALPHABET = (
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    + list(" \t\n\r  ")
    + list("'\".,;:!?-_()[]{}<>/\\|@#$%^&*+=~`")
    + list("éüßøñçÅ中文字日本語한국어العربيةрусский½²٣")
    + ["😀", "👍", "🏽", "\u200d", "\u0301", "\u00a0", "\u3000", "𝔘"]
    + ["'s", "'ll", "<|im_end|>", "<|im_start|>", "<|endoftext|>"]
)


def random_cases(count, seed=20251122):
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 40))) for _ in range(count)]


def main():
    import llama_cpp

    model_path, out_path = sys.argv[1], sys.argv[2]
    llm = llama_cpp.Llama(model_path=model_path, vocab_only=True, verbose=False)
    cases = []
    for text in CORPUS + random_cases(200):
        data = text.encode("utf-8")
        cases.append({
            "text": text,
            "ids": llm.tokenize(data, add_bos=False, special=False),
            "ids_special": llm.tokenize(data, add_bos=False, special=True),
        })
    record = {
        "model": model_path.rsplit("/", 1)[-1],
        "producer": "llama-cpp-python " + llama_cpp.__version__,
        "cases": cases,
    }
    # One case a line, so a change in llama.cpp's output shows as a readable diff.
    with open(out_path, "w", encoding="utf-8") as out:
        out.write('{"model": %s, "producer": %s, "cases": [\n' % (
            json.dumps(record["model"]), json.dumps(record["producer"])))
        out.write(",\n".join(json.dumps(case, ensure_ascii=False) for case in cases))
        out.write("\n]}\n")


if __name__ == "__main__":
    main()
