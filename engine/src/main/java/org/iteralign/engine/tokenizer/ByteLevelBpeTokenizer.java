package org.iteralign.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * GPT-2 style byte-level BPE (SmolLM2, Llama 3, Qwen2): text is split by the pre-tokenizer, each word's
 * UTF-8 bytes start as one symbol each, and the adjacent pair with the lowest merge rank is merged
 * until none is left, the leftmost pair first on a tie, as llama.cpp and Hugging Face both do.
 */
final class ByteLevelBpeTokenizer implements Tokenizer {
    private final Vocabulary vocabulary;
    private final SpecialTokens specials;
    private final PreTokenizer preTokenizer;
    /** Llama 3 takes a word that is itself a token as is, without replaying merges. */
    private final boolean ignoreMerges;
    /** Qwen2's tokenizer.json normalizes to NFC first; GGUF files leave text as it is, like llama.cpp. */
    private final boolean nfc;
    /** (left id << 32 | right id) to (rank << 32 | merged id). */
    private final Map<Long, Long> merges;
    private final int[] byteToId = new int[256];
    private final byte[][] pieces;
    private final SpecialTokenSplitter plainSplitter;
    private final SpecialTokenSplitter specialSplitter;

    /**
     * @param merges "left right" pairs in rank order, written in the vocabulary's byte-level alphabet
     */
    ByteLevelBpeTokenizer(Vocabulary vocabulary, SpecialTokens specials, List<String> merges,
                          PreTokenizer preTokenizer, boolean ignoreMerges, boolean nfc) {
        this.vocabulary = vocabulary;
        this.specials = specials;
        this.preTokenizer = preTokenizer;
        this.ignoreMerges = ignoreMerges;
        this.nfc = nfc;
        this.merges = HashMap.newHashMap(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String merge = merges.get(rank);
            int space = merge.indexOf(' ', 1);
            if (space < 0) {
                throw new IllegalArgumentException("merge " + rank + " is not 'left right': " + merge);
            }
            String left = merge.substring(0, space);
            String right = merge.substring(space + 1);
            int leftId = vocabulary.id(left);
            int rightId = vocabulary.id(right);
            int mergedId = vocabulary.id(left + right);
            // A merge whose parts or result are not tokens can never apply to token ids; llama.cpp would
            // spell such a result out byte by byte, which well-formed vocabularies never need.
            if (leftId >= 0 && rightId >= 0 && mergedId >= 0) {
                this.merges.putIfAbsent(pair(leftId, rightId), ((long) rank << 32) | mergedId);
            }
        }
        for (int b = 0; b < 256; b++) {
            byteToId[b] = vocabulary.id(String.valueOf(ByteLevel.charOf(b)));
        }
        this.pieces = new byte[vocabulary.size()][];
        for (int id = 0; id < pieces.length; id++) {
            pieces[id] = bytesOf(vocabulary.text(id), vocabulary.type(id));
        }
        this.plainSplitter = new SpecialTokenSplitter(vocabulary, false);
        this.specialSplitter = new SpecialTokenSplitter(vocabulary, true);
    }

    @Override
    public int[] encode(String text) {
        return encode(plainSplitter, text);
    }

    @Override
    public int[] encodeWithSpecials(String text) {
        return encode(specialSplitter, text);
    }

    private int[] encode(SpecialTokenSplitter splitter, String text) {
        IntList out = new IntList();
        for (SpecialTokenSplitter.Fragment fragment : splitter.split(text)) {
            switch (fragment) {
                case SpecialTokenSplitter.Special(int id) -> out.add(id);
                case SpecialTokenSplitter.Text(String raw) -> {
                    String normalized = nfc ? Normalizer.normalize(raw, Normalizer.Form.NFC) : raw;
                    for (String word : preTokenizer.split(normalized)) {
                        encodeWord(word, out);
                    }
                }
            }
        }
        return out.toArray();
    }

    private void encodeWord(String word, IntList out) {
        byte[] utf8 = word.getBytes(StandardCharsets.UTF_8);
        if (ignoreMerges) {
            StringBuilder mapped = new StringBuilder(utf8.length);
            for (byte b : utf8) {
                mapped.append(ByteLevel.charOf(b & 0xFF));
            }
            int whole = vocabulary.id(mapped.toString());
            if (whole >= 0) {
                out.add(whole);
                return;
            }
        }
        int n = utf8.length;
        int[] ids = new int[n];
        int[] next = new int[n];
        int[] prev = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = byteToId[utf8[i] & 0xFF];
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        PriorityQueue<Candidate> queue = new PriorityQueue<>();
        for (int i = 0; i + 1 < n; i++) {
            offer(queue, ids, i, i + 1);
        }
        while (!queue.isEmpty()) {
            Candidate c = queue.poll();
            // Entries go stale once either side has merged with something else.
            if (ids[c.left] != c.leftId || ids[c.right] != c.rightId || next[c.left] != c.right) {
                continue;
            }
            ids[c.left] = c.mergedId;
            ids[c.right] = -1;
            next[c.left] = next[c.right];
            if (next[c.left] >= 0) {
                prev[next[c.left]] = c.left;
            }
            if (prev[c.left] >= 0) {
                offer(queue, ids, prev[c.left], c.left);
            }
            if (next[c.left] >= 0) {
                offer(queue, ids, c.left, next[c.left]);
            }
        }
        for (int i = 0; i >= 0 && n > 0; i = next[i]) {
            // Some vocabularies lack a few bytes (SmolLM2 has no 0x04, 0xC0, 0xF5..0xFF, ...): llama.cpp
            // and Hugging Face both drop such bytes, and so does this.
            if (ids[i] >= 0) {
                out.add(ids[i]);
            }
        }
    }

    private void offer(PriorityQueue<Candidate> queue, int[] ids, int left, int right) {
        Long merge = merges.get(pair(ids[left], ids[right]));
        if (merge != null) {
            queue.add(new Candidate((int) (merge >>> 32), left, right, ids[left], ids[right], (int) (long) merge));
        }
    }

    private static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private record Candidate(int rank, int left, int right, int leftId, int rightId, int mergedId)
            implements Comparable<Candidate> {
        @Override
        public int compareTo(Candidate o) {
            return rank != o.rank ? Integer.compare(rank, o.rank) : Integer.compare(left, o.left);
        }
    }

    /** Normal tokens are written in GPT-2's byte alphabet; added and control tokens are plain text. */
    private static byte[] bytesOf(String text, TokenType type) {
        if (type != TokenType.NORMAL) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            int b = ByteLevel.byteOf(text.charAt(i));
            if (b >= 0) {
                out.write(b);
            } else {
                out.writeBytes(String.valueOf(text.charAt(i)).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    @Override
    public byte[] tokenBytes(int id) {
        vocabulary.checkId(id);
        return pieces[id].clone();
    }

    @Override
    public String tokenText(int id) {
        vocabulary.checkId(id);
        return vocabulary.text(id);
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            vocabulary.checkId(id);
            bytes.writeBytes(pieces[id]);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int bosId() {
        return specials.bos();
    }

    @Override
    public int eosId() {
        return specials.eos();
    }

    @Override
    public boolean addBos() {
        return specials.addBos();
    }

    @Override
    public Set<Integer> endOfGenerationIds() {
        return specials.endOfGeneration();
    }

    @Override
    public int vocabSize() {
        return vocabulary.size();
    }
}
