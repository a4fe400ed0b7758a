package org.iteralign.core.backend;

import org.iteralign.core.testing.EmbeddedTestServer;
import org.iteralign.core.testing.OpenAiTestServer;

/** The client's real-server tests against {@code iteralign serve}: our server must satisfy our own client. */
class OpenAiCompatibleChatModelServeTest extends OpenAiCompatibleChatModelRealServerTest {
    @Override
    OpenAiTestServer startServer() {
        return EmbeddedTestServer.start();
    }
}
