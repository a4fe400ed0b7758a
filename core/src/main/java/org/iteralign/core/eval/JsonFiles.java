package org.iteralign.core.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.iteralign.core.UserInputException;

/** Evaluation data files read as JSON, with the file and line of a syntax error in the message. */
final class JsonFiles {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonFiles() {}

    static JsonNode read(Path file) {
        try {
            return MAPPER.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new UserInputException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UserInputException(file, "cannot read: " + e.getMessage());
        }
    }
}
