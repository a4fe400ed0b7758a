/**
 * Numbers in ggml's storage formats, one final {@link org.iteralign.engine.tensor.FloatTensor}
 * subclass per format, each owning its Vector API decode and dot product beside a scalar reference.
 * All paths of a dot product sum in one fixed order, which is what makes batched inference give the
 * same bits as unbatched.
 */
package org.iteralign.engine.tensor;
