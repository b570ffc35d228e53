package org.epicgateway.api.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.epicgateway.api.ApiError;
import org.epicgateway.api.openapi.OpenApiDocument;
import org.epicgateway.api.resources.EndpointSlices;
import org.epicgateway.api.resources.Gateways;
import org.epicgateway.api.resources.HttpRoutes;
import org.epicgateway.schemas.avro.CreateGateway;
import org.epicgateway.schemas.avro.UpsertGrpcRoute;
import org.epicgateway.schemas.avro.UpsertHttpRoute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The validator without a platform: the CRDs' CEL rules, paths named exactly, and the document stating the limits. */
class BodyValidatorTest {

    private static JsonNode json(String text) throws Exception {
        return StrictRequests.JSON.readTree(text.replace('\'', '"'));
    }

    private static ApiError refused(String route) throws Exception {
        try {
            BodyValidator.validate(UpsertHttpRoute.getClassSchema(), json(route));
        } catch (ApiError e) {
            assertThat(e.status()).isEqualTo(422);
            assertThat(e.code()).isEqualTo("VALIDATION");
            return e;
        }
        throw new AssertionError("accepted: " + route);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "{'rules':[{'matches':[{'path':{'type':'EXACT','value':'//evil'}}]}]}|rules[0].matches[0].path.value|'//'",
        "{'rules':[{'matches':[{'path':{'type':'PATH_PREFIX','value':'/a/../b'}}]}]}|rules[0].matches[0].path.value|'/../'",
        "{'rules':[{'matches':[{'path':{'type':'REGULAR_EXPRESSION','value':'(a{1000}){1000}'}}]}]}|rules[0].matches[0].path.value|program size",
        "{'rules':[{},{'matches':[{'headers':[{'type':'REGULAR_EXPRESSION','name':'x','value':'a(?=b)'}]}]}]}|rules[1].matches[0].headers[0].value|RE2",
        "{'rules':[{'filters':[{'type':'URL_REWRITE','urlRewrite':{},'requestRedirect':{}}]}]}|rules[0].filters[0].requestRedirect|must not be set",
        "{'rules':[{'filters':[{'type':'URL_REWRITE','requestRedirect':{}}]}]}|rules[0].filters[0].urlRewrite|is required",
        "{'rules':[{'filters':[{'type':'REQUEST_REDIRECT'}]}]}|rules[0].filters[0].requestRedirect|is required",
        "{'rules':[{'filters':[{'type':'REQUEST_REDIRECT','requestRedirect':{}}],'backendRefs':[{'name':'a','port':1}]}]}|rules[0].backendRefs|redirects",
        "{'rules':[{'filters':[{'type':'REQUEST_HEADER_MODIFIER','requestHeaderModifier':{}},{'type':'REQUEST_HEADER_MODIFIER','requestHeaderModifier':{}}]}]}|rules[0].filters[1].type|only once",
        "{'rules':[{'filters':[{'type':'REQUEST_REDIRECT','requestRedirect':{'path':{'type':'REPLACE_PREFIX_MATCH','value':'/x'}}}]}]}|rules[0].filters[0].requestRedirect.path|exactly one PATH_PREFIX",
        "{'parentRefs':[{'name':'gw'},{'name':'gw','sectionName':'a'}]}|parentRefs[0].sectionName|is required",
        "{'rules':[{'filters':[{'type':'REQUEST_HEADER_MODIFIER','requestHeaderModifier':{'set':[{'name':'Host','value':'x'}]}}]}]}|rules[0].filters[0].requestHeaderModifier.set[0].name|Host",
        "{'rules':[{'backendRefs':[{'name':'a','port':1,'kind':'Pod'}]}]}|rules[0].backendRefs[0].kind|not one of",
        "{'hostnames':['ok.example.com','a\\u0000b']}|hostnames[1]|control character",
        "{'rules':[{'timeouts':{'request':'10s','backendRequest':'1m'}}]}|rules[0].timeouts.backendRequest|longer than the request timeout",
        "{'rules':[{'timeouts':{'request':'soon'}}]}|rules[0].timeouts.request|not a duration",
        "{'rules':[{'timeouts':{'request':'1.5s'}}]}|rules[0].timeouts.request|not a duration",
        "{'rules':[{'retry':{'codes':[503,302]}}]}|rules[0].retry.codes[1]|400",
        "{'rules':[{'retry':{'backoff':'100us'}}]}|rules[0].retry.backoff|not a duration",
        "{'rules':[{'filters':[{'type':'REQUEST_MIRROR','requestMirror':{'backendRef':{'name':'a','port':1},'percent':5,'fraction':{'numerator':1}}}]}]}|rules[0].filters[0].requestMirror.fraction|together with percent",
        "{'rules':[{'filters':[{'type':'REQUEST_MIRROR','requestMirror':{'backendRef':{'name':'a','port':1},'fraction':{'numerator':3,'denominator':2}}}]}]}|rules[0].filters[0].requestMirror.fraction.numerator|less than or equal",
        "{'rules':[{'filters':[{'type':'REQUEST_MIRROR','requestMirror':{'backendRef':{'name':'a','port':1},'percent':101}}]}]}|rules[0].filters[0].requestMirror.percent|100",
        "{'rules':[{'filters':[{'type':'REQUEST_MIRROR','urlRewrite':{}}]}]}|rules[0].filters[0].requestMirror|is required",
        "{'rules':[{'filters':[{'type':'CORS'}]}]}|rules[0].filters[0].cors|is required",
        "{'rules':[{'filters':[{'type':'CORS','cors':{'allowOrigins':['https://a.example.com','*']}}]}]}|rules[0].filters[0].cors.allowOrigins[1]|only entry",
        "{'rules':[{'filters':[{'type':'CORS','cors':{'allowOrigins':['ftp://a.example.com']}}]}]}|rules[0].filters[0].cors.allowOrigins[0]|does not match",
        "{'rules':[{'filters':[{'type':'CORS','cors':{'allowMethods':['GET','*']}}]}]}|rules[0].filters[0].cors.allowMethods[1]|only entry",
        "{'rules':[{'filters':[{'type':'CORS','cors':{'allowMethods':['FETCH']}}]}]}|rules[0].filters[0].cors.allowMethods[0]|not one of",
        "{'rules':[{'filters':[{'type':'CORS','cors':{'exposeHeaders':['x:y']}}]}]}|rules[0].filters[0].cors.exposeHeaders[0]|does not match",
        "{'rules':[{'filters':[{'type':'CORS','cors':{'maxAge':0}}]}]}|rules[0].filters[0].cors.maxAge|1",
        "{'rules':[{'backendRefs':[{'name':'a','port':1,'filters':[{'type':'URL_REWRITE','urlRewrite':{}}]}]}]}|rules[0].backendRefs[0].filters[0].type|a URL_REWRITE filter cannot be applied per backend",
        "{'rules':[{'backendRefs':[{'name':'a','port':1,'filters':[{'type':'REQUEST_HEADER_MODIFIER','requestHeaderModifier':{}},{'type':'REQUEST_HEADER_MODIFIER','requestHeaderModifier':{}}]}]}]}|rules[0].backendRefs[0].filters[1].type|only once per backendRef",
        "{'rules':[{'backendRefs':[{'name':'a','port':1,'filters':[{'type':'RESPONSE_HEADER_MODIFIER'}]}]}]}|rules[0].backendRefs[0].filters[0].responseHeaderModifier|is required",
        "{'rules':[{'backendRefs':[{'name':'a','port':1,'filters':[{'type':'REQUEST_HEADER_MODIFIER','requestHeaderModifier':{'remove':['Host']}}]}]}]}|rules[0].backendRefs[0].filters[0].requestHeaderModifier.remove[0]|Host"})
    void crossFieldAndValueRulesNameTheField(String route, String field, String message) throws Exception {
        ApiError e = refused(route);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.getMessage()).contains(message.replace("'", ""));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "{'rules':[{'matches':[{'method':{'type':'EXACT'}}]}]}|rules[0].matches[0].method|one or both",
        "{'rules':[{'matches':[{'method':{'type':'EXACT','service':'echo/Echo'}}]}]}|rules[0].matches[0].method.service|valid characters",
        "{'rules':[{'matches':[{'method':{'type':'EXACT','service':'echo.Echo','method':'Say.Hi'}}]}]}|rules[0].matches[0].method.method|valid characters",
        "{'rules':[{'matches':[{'method':{'type':'REGULAR_EXPRESSION','method':'a(?=b)'}}]}]}|rules[0].matches[0].method.method|RE2",
        "{'rules':[{'matches':[{'method':{'type':'EXACT','service':'a','method':'b'},'headers':[{'type':'REGULAR_EXPRESSION','name':'x','value':'(a{1000}){1000}'}]}]}]}|rules[0].matches[0].headers[0].value|program size",
        "{'rules':[{'filters':[{'type':'REQUEST_REDIRECT','requestRedirect':{}}]}]}|rules[0].filters[0].type|not a GRPCRoute filter type",
        "{'rules':[{'filters':[{'type':'URL_REWRITE','urlRewrite':{}}]}]}|rules[0].filters[0].type|not a GRPCRoute filter type",
        "{'rules':[{'filters':[{'type':'RESPONSE_HEADER_MODIFIER','responseHeaderModifier':{}},{'type':'RESPONSE_HEADER_MODIFIER','responseHeaderModifier':{}}]}]}|rules[0].filters[1].type|only once",
        "{'rules':[{'filters':[{'type':'REQUEST_MIRROR'}]}]}|rules[0].filters[0].requestMirror|is required",
        "{'rules':[{'filters':[{'type':'CORS','cors':{'allowOrigins':['*']}}]}]}|rules[0].filters[0].type|not a GRPCRoute filter type",
        "{'parentRefs':[{'name':'gw'},{'name':'gw','sectionName':'a'}]}|parentRefs[0].sectionName|is required"})
    void grpcRouteRulesAreTheCrdsNamingTheField(String route, String field, String message) throws Exception {
        try {
            BodyValidator.validate(UpsertGrpcRoute.getClassSchema(), json(route));
            throw new AssertionError("accepted: " + route);
        } catch (ApiError e) {
            assertThat(e.status()).isEqualTo(422);
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.getMessage()).contains(message.replace("'", ""));
        }
    }

    @Test
    void grpcMatchesTheCrdAcceptsAreAccepted() throws Exception {
        BodyValidator.validate(UpsertGrpcRoute.getClassSchema(), json("{'rules':[{'matches':["
            + "{'method':{'type':'EXACT','service':'.echo.v1.Echo','method':'Say'}},"
            + "{'method':{'type':'EXACT','method':'Check'}},"
            + "{'method':{'type':'REGULAR_EXPRESSION','service':'echo\\\\.v[0-9]+\\\\..*'}},"
            + "{'headers':[{'type':'EXACT','name':'x-tenant','value':'a'}]}],"
            + "'filters':[{'type':'REQUEST_MIRROR','requestMirror':{'backendRef':{'name':'a','port':1}}},"
            + "{'type':'REQUEST_MIRROR','requestMirror':{'backendRef':{'name':'b','port':2}}}],"
            + "'backendRefs':[{'name':'c','port':3,'weight':0}]}]}"));
    }

    @Test
    void aRouteMayHoldAt128MatchesInAll() throws Exception {
        StringBuilder rules = new StringBuilder("{'rules':[");
        for (int r = 0; r < 3; r++) {
            rules.append(r == 0 ? "" : ",").append("{'matches':[");
            for (int m = 0; m < 43; m++) {
                rules.append(m == 0 ? "" : ",").append("{}");
            }
            rules.append("]}");
        }
        assertThat(refused(rules + "]}").field()).isEqualTo("rules");
        BodyValidator.validate(UpsertHttpRoute.getClassSchema(), json(rules.toString()
            .replaceFirst("\\{\\},", "") + "]}"));
    }

    @Test
    void timeoutsRetryAndRepeatedMirrorsAreAcceptedAsTheCrdsAcceptThem() throws Exception {
        BodyValidator.validate(UpsertHttpRoute.getClassSchema(), json("{'rules':[{"
            + "'timeouts':{'request':'0s','backendRequest':'1h30m'},"
            + "'retry':{'codes':[500,502,599],'attempts':3,'backoff':'250ms'},"
            + "'filters':[{'type':'REQUEST_MIRROR','requestMirror':{'backendRef':{'name':'a','port':1}}},"
            + "{'type':'REQUEST_MIRROR','requestMirror':{'backendRef':{'name':'b','port':2},'fraction':{'numerator':1}}}],"
            + "'backendRefs':[{'name':'c','port':3}]}]}"));
    }

    @Test
    void corsTheCrdAcceptsIsAccepted() throws Exception {
        BodyValidator.validate(UpsertHttpRoute.getClassSchema(), json("{'rules':[{'filters':[{'type':'CORS','cors':{"
            + "'allowOrigins':['https://www.example.com','https://*.example.org:8443','http://*'],"
            + "'allowMethods':['GET','OPTIONS'],'allowHeaders':['*'],'exposeHeaders':['x-trace'],"
            + "'allowCredentials':true,'maxAge':86400}}],'backendRefs':[{'name':'c','port':3}]}]}"));
    }

    @Test
    void valuesOfTheWrongTypeAreLeftToTheMapper() throws Exception {
        BodyValidator.validate(CreateGateway.getClassSchema(), json("{'name':7,'listeners':{},'template':[]}"));
        assertThatThrownBy(() -> BodyValidator.validate(CreateGateway.getClassSchema(),
            json("{'listeners':[{'name':'http','port':70000,'protocol':'HTTP'}]}")))
            .isInstanceOf(ApiError.class).hasMessageContaining("listeners[0].port");
    }

    @Test
    void theDocumentStatesTheLimitsTheValidatorEnforces() {
        OpenApiDocument generator = OpenApiDocument.schemaGenerator();
        ObjectNode gateway = generator.body(Gateways.KIND.createBody());
        generator.body(HttpRoutes.KIND.createBody());
        generator.body(EndpointSlices.KIND.createBody());
        ObjectNode components = generator.components();
        assertThat(gateway.at("/properties/listeners/maxItems").asInt()).isEqualTo(64);
        assertThat(gateway.at("/properties/name/pattern").asText()).isEqualTo(Limits.DNS_LABEL);
        assertThat(components.at("/Listener/properties/port/maximum").asInt()).isEqualTo(65535);
        assertThat(components.at("/PathMatch/properties/value/maxLength").asInt()).isEqualTo(1024);
        assertThat(components.at("/Header/properties/name/pattern").asText()).isEqualTo(Limits.HEADER_NAME);
        assertThat(components.at("/RequestRedirect/properties/statusCode/enum").toString())
            .isEqualTo("[301,302,303,307,308]");
        assertThat(components.at("/Endpoint/properties/addresses/maxItems").asInt()).isEqualTo(100);
        assertThat(components.at("/Endpoint/properties/addresses/items/description").asText())
            .contains("loopback");
    }
}
