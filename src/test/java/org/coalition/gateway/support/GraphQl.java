package org.coalition.gateway.support;

import static io.restassured.RestAssured.given;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

/** Sends GraphQL documents to the running gateway the way a partner's system does: HTTP POST with a bearer token. */
public final class GraphQl {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private GraphQl() {
    }

    /** Posts the document and returns the whole JSON response; HTTP must answer 200. */
    public static JsonPath call(String token, String document, Map<String, Object> variables) {
        return given()
                .contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + token)
                .body(body(document, variables))
                .when().post("/graphql")
                .then().statusCode(200)
                .extract().jsonPath();
    }

    public static JsonPath call(String token, String document) {
        return call(token, document, Map.of());
    }

    /** Sends without waiting, for tests that fire many requests at once. */
    public static CompletableFuture<JsonObject> send(String token, String document, Map<String, Object> variables) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/graphql"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body(document, variables)))
                .build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new AssertionError("HTTP " + response.statusCode() + ": " + response.body());
            }
            return new JsonObject(response.body());
        });
    }

    static String body(String document, Map<String, Object> variables) {
        Map<String, Object> body = new HashMap<>();
        body.put("query", document);
        body.put("variables", variables);
        return new JsonObject(body).encode();
    }
}
