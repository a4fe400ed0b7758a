package org.iteralign.core.model;

/**
 * A model named by a spec string: {@code openai:NAME}, {@code openai-compatible:URL#NAME},
 * {@code anthropic:NAME}, {@code gguf:PATH}, {@code hf-dir:PATH}, {@code hf:ORG/NAME}, or an alias such as
 * {@code smollm2-135m-instruct}. {@code location} is the URL or path where the kind has one, else empty.
 */
public record ModelSpec(Kind kind, String location, String name, String text) {
    public enum Kind { OPENAI, OPENAI_COMPATIBLE, ANTHROPIC, GGUF, HF_DIR, HF, ALIAS }

    public static final String OPENAI_BASE_URL = "https://api.openai.com/v1";
    public static final String ANTHROPIC_BASE_URL = "https://api.anthropic.com";

    /** @throws IllegalArgumentException with a message fit for the user when the spec is malformed */
    public static ModelSpec parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("empty model spec");
        String s = text.strip();
        int colon = s.indexOf(':');
        if (colon < 0) {
            if (!s.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) throw bad(s);
            return new ModelSpec(Kind.ALIAS, "", s, s);
        }
        String prefix = s.substring(0, colon);
        String rest = s.substring(colon + 1);
        if (rest.isBlank()) throw bad(s);
        return switch (prefix) {
            case "openai" -> new ModelSpec(Kind.OPENAI, OPENAI_BASE_URL, rest, s);
            case "anthropic" -> new ModelSpec(Kind.ANTHROPIC, ANTHROPIC_BASE_URL, rest, s);
            case "openai-compatible" -> {
                int hash = rest.lastIndexOf('#');
                if (hash <= 0 || hash == rest.length() - 1 || !rest.startsWith("http")) {
                    throw new IllegalArgumentException("model spec '" + s
                            + "': expected openai-compatible:URL#MODEL, e.g. openai-compatible:http://127.0.0.1:8000/v1#my-model");
                }
                yield new ModelSpec(Kind.OPENAI_COMPATIBLE, stripSlash(rest.substring(0, hash)), rest.substring(hash + 1), s);
            }
            case "gguf" -> new ModelSpec(Kind.GGUF, rest, rest, s);
            case "hf-dir" -> new ModelSpec(Kind.HF_DIR, rest, rest, s);
            case "hf" -> {
                if (!rest.matches("[^/\\s]+/[^/\\s]+")) throw new IllegalArgumentException("model spec '" + s + "': expected hf:ORG/NAME");
                yield new ModelSpec(Kind.HF, "", rest, s);
            }
            default -> throw bad(s);
        };
    }

    public boolean isRemote() {
        return kind == Kind.OPENAI || kind == Kind.OPENAI_COMPATIBLE || kind == Kind.ANTHROPIC;
    }

    @Override
    public String toString() {
        return text;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static IllegalArgumentException bad(String s) {
        return new IllegalArgumentException("unknown model spec '" + s + "': use openai:NAME, openai-compatible:URL#NAME, "
                + "anthropic:NAME, gguf:PATH, hf-dir:PATH, hf:ORG/NAME or an alias such as smollm2-135m-instruct");
    }
}
