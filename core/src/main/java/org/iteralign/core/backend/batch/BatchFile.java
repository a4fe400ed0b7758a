package org.iteralign.core.backend.batch;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.iteralign.core.backend.OpenAiApi;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;

/**
 * The input file of one Batch API job: a JSONL line per prompt, {@code custom_id} being the prompt's position.
 * {@code key} hashes the API and the file's bytes, so the same requests sent again (by a restarted process) find
 * the job already paid for.
 *
 * @param endpoint the server path every line names, e.g. {@code /v1/chat/completions}; a job has only one
 */
record BatchFile(String endpoint, List<Prompt> prompts, byte[] jsonl, String key) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ID_PREFIX = "request-";

    /** @param prompts all of one kind (chat or raw): they must share an endpoint */
    static BatchFile of(OpenAiApi api, List<Prompt> prompts, Sampling sampling) {
        String path = OpenAiApi.path(prompts.getFirst());
        String endpoint = api.serverPath(path);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < prompts.size(); i++) {
            if (!OpenAiApi.path(prompts.get(i)).equals(path)) throw new IllegalArgumentException("a batch file has one endpoint");
            ObjectNode line = JSON.createObjectNode();
            line.put("custom_id", ID_PREFIX + i);
            line.put("method", "POST");
            line.put("url", endpoint);
            line.set("body", api.body(prompts.get(i), sampling));
            lines.append(line).append('\n');
        }
        byte[] jsonl = lines.toString().getBytes(StandardCharsets.UTF_8);
        return new BatchFile(endpoint, List.copyOf(prompts), jsonl, sha256(api.label() + "\n" + endpoint + "\n", jsonl));
    }

    /** The prompt position a {@code custom_id} of this file names, or -1 when it names none. */
    int indexOf(String customId) {
        if (customId == null || !customId.startsWith(ID_PREFIX)) return -1;
        try {
            int i = Integer.parseInt(customId.substring(ID_PREFIX.length()));
            return i >= 0 && i < prompts.size() ? i : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String sha256(String head, byte[] body) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(head.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
