package org.iteralign.core.model;

/** Opens the backend a model spec names. The CLI passes one that knows every backend; tests may pass their own. */
@FunctionalInterface
public interface ModelFactory {
    ChatModel open(ModelSpec spec, BackendOptions options);
}
