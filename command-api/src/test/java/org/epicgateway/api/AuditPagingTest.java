package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Audit pages over several partitions: small pages add up to the whole, newest first, and filters hold. */
class AuditPagingTest {

    @Test
    void smallPagesAddUpToTheWholeAndTimeAndActorFiltersHold() throws Exception {
        ApiFixture f = ApiFixture.get();
        String account = ApiFixture.unique("audit");
        String erin = Http.basic("erin@" + account, "erin-password-1");
        assertThat(f.http.post("/api/v1/accounts", "{\"account\":\"" + account + "\"}", ApiFixture.ADMIN).status()).isEqualTo(201);
        assertThat(f.http.post("/api/v1/accounts/" + account + "/users",
            "{\"username\":\"erin\",\"password\":\"erin-password-1\"}", ApiFixture.ADMIN).status()).isEqualTo(201);
        for (int i = 0; i < 7; i++) {
            Http.Response r = f.http.post("/api/v1/accounts/" + account + "/endpointslices?namespace=ns" + (i % 2),
                "{\"name\":\"slice-" + i + "\",\"serviceName\":\"web\"}", erin);
            assertThat(r.status()).as(r.body()).isEqualTo(201);
        }

        List<String> whole = ids(f.http.get("/api/v1/audit?limit=500", erin).json());
        assertThat(whole).hasSize(9); // AccountCreated, ApiUserAdded, 7 x EndpointSliceUpserted

        List<String> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = f.http.get("/api/v1/audit?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), erin).json();
            assertThat(page.get("items").size()).isLessThanOrEqualTo(2);
            paged.addAll(ids(page));
            cursor = page.get("next").isNull() ? null : page.get("next").asText();
            pages++;
        } while (cursor != null && pages < 20);
        assertThat(paged).containsExactlyElementsOf(whole);

        // Newest first, and `to` (exclusive) keeps only what is strictly older.
        JsonNode all = f.http.get("/api/v1/audit?limit=500", erin).json().get("items");
        Instant third = Instant.parse(all.get(2).get("timestamp").asText());
        JsonNode older = f.http.get("/api/v1/audit?limit=500&to=" + third, erin).json().get("items");
        assertThat(older).isNotEmpty().allSatisfy(e -> assertThat(Instant.parse(e.get("timestamp").asText())).isBefore(third));
        JsonNode newer = f.http.get("/api/v1/audit?limit=500&from=" + third, erin).json().get("items");
        assertThat(newer.size() + older.size()).isEqualTo(9);

        // The actor filter: the admin wrote two of them, erin the rest.
        assertThat(f.http.get("/api/v1/audit?limit=500&actor=erin@" + account, erin).json().get("items")).hasSize(7);
        assertThat(f.http.get("/api/v1/audit?limit=500&actor=admin@system", erin).json().get("items")).hasSize(2);
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("items").forEach(e -> ids.add(e.get("eventId").asText()));
        return ids;
    }
}
