package org.coalition.gateway.support;

import static io.restassured.RestAssured.given;

import java.io.IOException;
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
        HttpRequest request = request(token, document, variables, Duration.ofSeconds(60));
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new AssertionError("HTTP " + response.statusCode() + ": " + response.body());
            }
            return new JsonObject(response.body());
        });
    }

    /** Posts and returns the response whatever its status, for tests that judge the status and the time themselves. */
    public static HttpResponse<String> post(String token, String document, Map<String, Object> variables, Duration timeout)
            throws IOException, InterruptedException {
        return HTTP.send(request(token, document, variables, timeout), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(String token, String document, Map<String, Object> variables, Duration timeout) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/graphql"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofString(body(document, variables)))
                .build();
    }

    static String body(String document, Map<String, Object> variables) {
        Map<String, Object> body = new HashMap<>();
        body.put("query", document);
        body.put("variables", variables);
        return new JsonObject(body).encode();
    }
}
