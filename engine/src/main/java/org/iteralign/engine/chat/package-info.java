/**
 * Conversations to prompt text, with each model's own Jinja chat template rendered by jinjava the way
 * Hugging Face transformers renders it; see {@link org.iteralign.engine.chat.ChatTemplate}.
 */
package org.iteralign.engine.chat;
