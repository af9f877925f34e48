package org.coalition.gateway.member;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.UserError;

/** A validated reference to one member: by id, or by card number. */
public sealed interface MemberKey {

    /**
     * Equal for equal references, and different for different ones: the order in which calls sharing a transaction
     * lock their members (shared.GroupCommit), so that two such transactions lock them in one order.
     */
    String lockOrder();

    record ById(UUID id) implements MemberKey {
        @Override
        public String lockOrder() {
            return "id:" + id;
        }
    }

    record ByCard(String cardNumber) implements MemberKey {
        @Override
        public String lockOrder() {
            return "card:" + cardNumber;
        }
    }

    /** The member who claimed their card with this login (a member token's subject). */
    record BySubject(String subject) implements MemberKey {
        @Override
        public String lockOrder() {
            return "subject:" + subject;
        }
    }

    /**
     * @param path where the reference sits in the input, e.g. {@code input, member}
     * @throws BusinessFailure INVALID_INPUT unless exactly one well-formed reference is given
     */
    static MemberKey from(MemberRefInput ref, String... path) {
        List<UserError> errors = validate(ref, path);
        if (!errors.isEmpty()) {
            throw new BusinessFailure(errors);
        }
        return ref.memberId != null ? new ById(UUID.fromString(ref.memberId)) : new ByCard(ref.cardNumber.strip());
    }

    static List<UserError> validate(MemberRefInput ref, String... path) {
        List<UserError> errors = new ArrayList<>();
        if (ref == null || (ref.memberId == null) == (ref.cardNumber == null)) {
            errors.add(UserError.invalid("Give exactly one of memberId and cardNumber", path));
        } else if (ref.memberId != null && !isUuid(ref.memberId)) {
            errors.add(UserError.invalid("memberId is not a member id", append(path, "memberId")));
        } else if (ref.cardNumber != null && !CardNumbers.isWellFormed(ref.cardNumber.strip())) {
            errors.add(UserError.invalid("cardNumber must be 12 to 19 digits with a valid check digit",
                    append(path, "cardNumber")));
        }
        return errors;
    }

    private static boolean isUuid(String value) {
        try {
            return UUID.fromString(value).toString().equalsIgnoreCase(value);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String[] append(String[] path, String field) {
        String[] extended = java.util.Arrays.copyOf(path, path.length + 1);
        extended[path.length] = field;
        return extended;
    }
}
