package io.cellrouter.router.identity;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;

/** Builds the {@code 400 ambiguous_identity} refusal: identity is never guessed between two values. */
final class Ambiguity {

    private Ambiguity() {}

    static RouterException of(String why) {
        return new RouterException(ErrorCode.AMBIGUOUS_IDENTITY, "ambiguous identity: " + why);
    }
}
