package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.epicgateway.api.auth.Passwords;
import org.epicgateway.api.resources.ResourceKind.BodySchema;
import org.epicgateway.api.resources.ResourceKind.Command;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.AccountState;
import org.epicgateway.schemas.avro.AddApiUser;
import org.epicgateway.schemas.avro.ApiUser;
import org.epicgateway.schemas.avro.CreateAccount;
import org.epicgateway.schemas.avro.SetQuota;

/**
 * Tenant accounts (admin only), their API users and their gateway quota. Users and quota are parts of the account
 * aggregate, so they have their own small mappers here rather than a {@link ResourceKind}. Password hashes never leave
 * the API: users render as name and roles only.
 */
public final class Accounts {
    public static final ResourceKind KIND = new ResourceKind("Account", "accounts", AggregateType.ACCOUNT,
        (body, target) -> {
            CreateAccount cmd = CreateAccount.newBuilder()
                .setAccount(target.name(body, "account"))
                .setDisplayName(body.optString("displayName"))
                .build();
            return new Command(new AggregateId(AggregateType.ACCOUNT, cmd.getAccount(), null, cmd.getAccount()), cmd);
        },
        null,
        null,
        state -> render((AccountState) state),
        BodySchema.of(CreateAccount.getClassSchema()),
        null);

    /** The POST body of an API user: AddApiUser with a clear-text {@code password} instead of the hash. */
    public static final BodySchema USER_BODY = BodySchema.of(AddApiUser.getClassSchema())
        .omit("account", "passwordHash")
        .withRequired("password", SpecJson.JSON.objectNode().put("type", "string").put("minLength", 8)
            .put("description", "hashed with bcrypt by the API; never stored in clear"));

    public static final BodySchema QUOTA_BODY = BodySchema.of(SetQuota.getClassSchema()).omit("account");

    private Accounts() {
    }

    public static AddApiUser user(JsonFields body, String account, Passwords passwords) {
        return AddApiUser.newBuilder()
            .setAccount(account)
            .setUsername(body.string("username"))
            .setPasswordHash(passwords.hash(body.string("password"), "password"))
            .setRoles(body.strings("roles"))
            .build();
    }

    public static SetQuota quota(JsonFields body, String account) {
        return SetQuota.newBuilder().setAccount(account).setMaxGateways(body.integer("maxGateways")).build();
    }

    public static ObjectNode render(ApiUser user) {
        ObjectNode o = SpecJson.JSON.objectNode().put("username", user.getUsername());
        SpecJson.strings(o, "roles", user.getRoles());
        return o;
    }

    static ObjectNode render(AccountState s) {
        ObjectNode o = SpecJson.JSON.objectNode().put("account", s.getAccount());
        SpecJson.putOpt(o, "displayName", s.getDisplayName());
        ArrayNode users = o.putArray("users");
        s.getUsers().forEach(u -> users.add(render(u)));
        if (s.getMaxGateways() != null) {
            o.put("maxGateways", s.getMaxGateways());
        }
        return o;
    }
}
