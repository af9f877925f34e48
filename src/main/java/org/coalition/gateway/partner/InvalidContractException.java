package org.coalition.gateway.partner;

/** A partner contract that must not be loaded; the message names the file and the field. */
public final class InvalidContractException extends RuntimeException {
    public InvalidContractException(String message) {
        super(message);
    }
}
