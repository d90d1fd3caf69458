package io.octopusha.node.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Requests Jetty refuses before any route sees them (a NUL or an ambiguous segment in the path, a malformed header):
 * answered like every other error, as {@code {ErrorMessage, Errors[]}} naming the node, instead of Jetty's HTML page.
 * Jetty closes such a connection after the answer; saying so in {@code Connection: close} keeps a client from sending
 * its next request on it and finding it closed, which clients only retry for GET.
 */
final class RefusedRequests extends ErrorHandler {
    private final ObjectMapper mapper = Json.mapper();
    private final String nodeName;

    RefusedRequests(String nodeName) {
        this.nodeName = nodeName;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        String reason = message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
        String text = "The request could not be read: " + reason + ".";
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(new ApiException.Body(text, List.of(text)));
        } catch (JsonProcessingException e) {
            callback.failed(e);
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        response.getHeaders().put(ApiServer.NODE_HEADER, nodeName);
        response.getHeaders().put(ApiServer.OCTOPUS_NODE_HEADER, nodeName);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
