package org.iteralign.core.pipeline;

import org.iteralign.core.config.RunConfig;
import org.iteralign.core.redteam.PromptTemplate;
import org.iteralign.core.store.CachedModel;
import org.iteralign.core.store.RunStore;

/** What every stage of a run needs. The target can change between iterations (after training); the rest cannot. */
record RunContext(RunConfig config, RunDirectory directory, RunStore store, CachedModel oracle, PromptTemplate template,
                  ProgressListener progress) {}
