package org.iteralign.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * SentencePiece-style BPE (Llama 2, Mistral; GGUF {@code tokenizer.ggml.model = "llama"}), as llama.cpp
 * runs it: spaces become '▁', a space is put in front of every text fragment that starts the input or
 * follows a special token, each character starts as a symbol, and the adjacent pair whose concatenation
 * is the vocabulary entry with the highest score merges first (the leftmost on a tie). A character
 * that no token covers is spelled as byte-fallback tokens {@code <0xNN>}.
 */
final class SentencePieceBpeTokenizer implements Tokenizer {
    private static final char SPACE = '\u2581';

    private final Vocabulary vocabulary;
    private final float[] scores;
    private final SpecialTokens specials;
    private final boolean addSpacePrefix;
    private final int unknownId;
    private final int[] byteToId = new int[256];
    private final byte[][] pieces;
    private final SpecialTokenSplitter plainSplitter;
    private final SpecialTokenSplitter specialSplitter;

    SentencePieceBpeTokenizer(Vocabulary vocabulary, float[] scores, SpecialTokens specials,
                              boolean addSpacePrefix, int unknownId) {
        if (scores.length != vocabulary.size()) {
            throw new IllegalArgumentException(vocabulary.size() + " tokens but " + scores.length + " scores");
        }
        this.vocabulary = vocabulary;
        this.scores = scores.clone();
        this.specials = specials;
        this.addSpacePrefix = addSpacePrefix;
        this.unknownId = unknownId;
        for (int b = 0; b < 256; b++) {
            byteToId[b] = vocabulary.id(String.format("<0x%02X>", b));
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
        boolean afterSpecial = true;
        for (SpecialTokenSplitter.Fragment fragment : splitter.split(text)) {
            switch (fragment) {
                case SpecialTokenSplitter.Special(int id) -> {
                    out.add(id);
                    afterSpecial = true;
                }
                case SpecialTokenSplitter.Text(String raw) -> {
                    String prefixed = addSpacePrefix && afterSpecial ? " " + raw : raw;
                    encodeFragment(prefixed.replace(' ', SPACE), out);
                    afterSpecial = false;
                }
            }
        }
        return out.toArray();
    }

    private void encodeFragment(String text, IntList out) {
        int n = text.codePointCount(0, text.length());
        int[] starts = new int[n];
        int[] ends = new int[n];
        for (int i = 0, offset = 0; i < n; i++) {
            starts[i] = offset;
            offset += Character.charCount(text.codePointAt(offset));
            ends[i] = offset;
        }
        int[] next = new int[n];
        int[] prev = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        PriorityQueue<Candidate> queue = new PriorityQueue<>();
        for (int i = 0; i + 1 < n; i++) {
            offer(queue, text, starts, ends, i, i + 1);
        }
        while (!queue.isEmpty()) {
            Candidate c = queue.poll();
            // Stale once either side has grown or been absorbed since the entry was made.
            if (ends[c.left] < 0 || ends[c.right] < 0 || next[c.left] != c.right
                    || ends[c.right] - starts[c.left] != c.length) {
                continue;
            }
            ends[c.left] = ends[c.right];
            ends[c.right] = -1;
            next[c.left] = next[c.right];
            if (next[c.left] >= 0) {
                prev[next[c.left]] = c.left;
            }
            if (prev[c.left] >= 0) {
                offer(queue, text, starts, ends, prev[c.left], c.left);
            }
            if (next[c.left] >= 0) {
                offer(queue, text, starts, ends, c.left, next[c.left]);
            }
        }
        for (int i = 0; i >= 0 && n > 0; i = next[i]) {
            String symbol = text.substring(starts[i], ends[i]);
            int id = vocabulary.id(symbol);
            if (id >= 0) {
                out.add(id);
            } else {
                for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                    int byteId = byteToId[b & 0xFF];
                    out.add(byteId >= 0 ? byteId : unknownId);
                }
            }
        }
    }

    private void offer(PriorityQueue<Candidate> queue, String text, int[] starts, int[] ends, int left, int right) {
        int id = vocabulary.id(text.substring(starts[left], ends[right]));
        if (id >= 0) {
            queue.add(new Candidate(scores[id], left, right, ends[right] - starts[left]));
        }
    }

    private record Candidate(float score, int left, int right, int length) implements Comparable<Candidate> {
        @Override
        public int compareTo(Candidate o) {
            return score != o.score ? Float.compare(o.score, score) : Integer.compare(left, o.left);
        }
    }

    private static byte[] bytesOf(String text, TokenType type) {
        if (type == TokenType.BYTE && text.length() == 6 && text.startsWith("<0x") && text.endsWith(">")) {
            return new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
        }
        String plain = type == TokenType.NORMAL ? text.replace(SPACE, ' ') : text;
        return plain.getBytes(StandardCharsets.UTF_8);
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

    /** Drops the space that encoding puts in front of text at the start and after a special token. */
    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean afterSpecial = true;
        for (int id : ids) {
            vocabulary.checkId(id);
            byte[] piece = pieces[id];
            boolean text = vocabulary.type(id) == TokenType.NORMAL || vocabulary.type(id) == TokenType.BYTE;
            boolean dropSpace = afterSpecial && addSpacePrefix && vocabulary.type(id) == TokenType.NORMAL
                    && piece.length > 0 && piece[0] == ' ';
            bytes.write(piece, dropSpace ? 1 : 0, dropSpace ? piece.length - 1 : piece.length);
            afterSpecial = !text;
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
