package io.cellrouter.router.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellrouter.router.error.ErrorCode;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * What an admin endpoint answers: a status and a JSON body, and for a write what the audit log
 * needs ({@link Change}: what, before, after, version). Refusals are answers too, never exceptions
 * past the endpoint ({@link Refusal} only carries one through a future chain).
 */
record Answer(HttpResponseStatus status, ObjectNode body, Change change) {

    /** A write as the audit log records it; {@code before}/{@code after} may be null. */
    record Change(String action, String target, JsonNode before, JsonNode after, Long version) {}

    static Answer of(HttpResponseStatus status, ObjectNode body) {
        return new Answer(status, body, null);
    }

    /** An answer from the one error table: its status, and {@code {"error": CODE, "message": ...}}. */
    static Answer error(ErrorCode code, String message) {
        return of(
                code.status(),
                JsonBody.JSON.createObjectNode().put("error", code.code()).put("message", message));
    }

    Answer describing(String action, String target, JsonNode before, JsonNode after, Long version) {
        return new Answer(status, body, new Change(action, target, before, after, version));
    }

    boolean ok() {
        return status.code() < 300;
    }

    /** A refusal decided inside a future chain, carried as an exception and turned back into an answer. */
    static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Answer answer;

        Refusal(Answer answer) {
            super(answer.body().path("message").asText(), null, false, false);
            this.answer = answer;
        }

        Refusal(ErrorCode code, String message) {
            this(error(code, message));
        }

        Answer answer() {
            return answer;
        }
    }
}
