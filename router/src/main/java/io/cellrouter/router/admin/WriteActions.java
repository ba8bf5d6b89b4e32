package io.cellrouter.router.admin;

import io.cellrouter.registry.model.Cell;
import java.util.Map;

/**
 * The audit name of each admin write, by its route, so that a write refused before it reaches its
 * endpoint (a viewer's token, another site's page, an unknown parameter) is audited under the same
 * action and target as one its endpoint refuses: {@code "action":"move","target":"customer/acme"},
 * not the request line. Both the audit log and {@code cellrouter_admin_writes_total} then count the
 * attempt under its action. A method and path that name no write (a method the path does not take)
 * keep the request line, and so does anything that asks for a dry run: a dry run is no write, and
 * an alert on refused moves must not fire on previews.
 *
 * <p>The table repeats the routes of {@link AdminRoutes}'s dispatch; {@code AdminRolesIT} holds
 * the two together for every write.
 */
final class WriteActions {

    /** {@code resource method} (as {@link AdminRoutes} matches them) to the action. */
    private static final Map<String, String> ACTIONS = Map.of(
            "customers PUT", "place",
            "customers/move POST", "move",
            "cells PUT", "put_cell",
            "cells PATCH", "patch_cell",
            "customers/shadow PUT", "put_shadow",
            "customers/shadow DELETE", "delete_shadow",
            "overrides PUT", "put_override",
            "overrides DELETE", "delete_override");

    /** The resource to the first part of the target, as the endpoints write it. */
    private static final Map<String, String> TARGETS = Map.of(
            "customers", "customer",
            "customers/move", "customer",
            "cells", "cell",
            "customers/shadow", "shadow",
            "overrides", "override");

    private WriteActions() {}

    /**
     * {@code answer} described as the write that {@code method} and {@code rest} (the path after
     * {@code /admin/v1/}) name, unless it already says what it is, they name no write, or {@code
     * uri} has a {@code dryRun} parameter.
     */
    static Answer describe(Answer answer, String method, String rest, String uri) {
        if (answer.change() != null || asksForDryRun(uri)) {
            return answer;
        }
        String[] parts = rest.split("/", -1);
        if (parts.length < 2 || parts.length > 3 || !Cell.NAME.matcher(parts[1]).matches()) {
            return answer;
        }
        String resource = parts[0] + (parts.length == 3 ? "/" + parts[2] : "");
        String action = ACTIONS.get(resource + " " + method);
        return action == null
                ? answer
                : answer.describing(action, TARGETS.get(resource) + "/" + parts[1], null, null, null);
    }

    /**
     * Whether the raw query names {@code dryRun}, whatever its value: read without decoding, since
     * a query refused for a broken escape cannot be decoded.
     */
    private static boolean asksForDryRun(String uri) {
        int query = uri.indexOf('?');
        if (query < 0) {
            return false;
        }
        for (String parameter : uri.substring(query + 1).split("&", -1)) {
            if (parameter.equals("dryRun") || parameter.startsWith("dryRun=")) {
                return true;
            }
        }
        return false;
    }
}
