package org.iteralign.core.eval;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.iteralign.engine.generate.ScoreRequest;
import org.iteralign.engine.json.Json;

/**
 * llama.cpp's log-likelihoods of one suite's scoring requests, as {@code record_llamacpp_choice_scores.py} records
 * them (item indices, a hash of each request's token ids, the numbers), and the request file that script reads.
 */
record LlamaCppChoiceScores(String suite, List<Item> items) {
    static final String SCRIPT = "core/src/test/python/record_llamacpp_choice_scores.py";

    /** One item: its index in the dataset, and per scoring request (in the suite's order) the ids' hash and log-likelihood. */
    record Item(int index, List<String> hashes, double[] logLikelihoods) {}

    static String resourceName(String suite) {
        return "llamacpp-choice-scores-" + suite + ".json";
    }

    /** @return the committed vectors of {@code suite}, or null when there are none */
    @SuppressWarnings("unchecked")
    static LlamaCppChoiceScores readResource(String suite) throws IOException {
        try (InputStream in = LlamaCppChoiceScores.class.getResourceAsStream(resourceName(suite))) {
            if (in == null) return null;
            Map<String, Object> root = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            List<Item> items = new ArrayList<>();
            for (Object o : (List<Object>) root.get("items")) {
                Map<String, Object> item = (Map<String, Object>) o;
                List<Map<String, Object>> requests = (List<Map<String, Object>>) item.get("requests");
                items.add(new Item(((Number) item.get("index")).intValue(),
                        requests.stream().map(r -> (String) r.get("ids")).toList(),
                        requests.stream().mapToDouble(r -> ((Number) r.get("ll")).doubleValue()).toArray()));
            }
            return new LlamaCppChoiceScores((String) root.get("suite"), items);
        }
    }

    /** The hash the script records: sha256 of {@code "c1,c2,...|k1,k2,..."}, first 16 hex digits. */
    static String hash(ScoreRequest r) {
        String text = join(r.context()) + "|" + join(r.continuation());
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Writes the script's input: per item its index and its requests' token ids. */
    static void writeRequests(Path file, String suite, int[] indices, List<List<ScoreRequest>> perItem) throws IOException {
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < indices.length; i++) {
            List<Object> requests = new ArrayList<>();
            for (ScoreRequest r : perItem.get(i)) {
                Map<String, Object> request = new LinkedHashMap<>();
                request.put("context", boxed(r.context()));
                request.put("continuation", boxed(r.continuation()));
                requests.add(request);
            }
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("index", indices[i]);
            item.put("requests", requests);
            items.add(item);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("suite", suite);
        root.put("items", items);
        Files.writeString(file, Json.write(root));
    }

    private static List<Integer> boxed(int[] ids) {
        return Arrays.stream(ids).boxed().toList();
    }

    private static String join(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }
}
