package org.coalition.gateway.shared;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Enum;

/** Stable, machine-readable codes of business failures; partners switch on these, so never rename one. */
@Enum("ErrorCode")
@Description("Stable, machine-readable reason of a business failure.")
public enum ErrorCode {
    INVALID_INPUT,
    MEMBER_NOT_FOUND,
    CARD_ALREADY_CLAIMED,
    PARTNER_NOT_FOUND,
    CONTRACT_INACTIVE,
    INSUFFICIENT_POINTS,
    LIMIT_EXCEEDED,
    IDEMPOTENCY_CONFLICT,
    HOLD_NOT_FOUND,
    HOLD_EXPIRED,
    HOLD_ALREADY_RESOLVED,
    TRANSACTION_NOT_FOUND,
    NOT_REVERSIBLE,
    PERIOD_NOT_FOUND,
    PERIOD_NOT_OPEN,
    RECORD_NOT_FOUND,
    FORBIDDEN,
    WEBHOOK_ENDPOINT_NOT_FOUND,
    CAMPAIGN_NOT_FOUND,
    SELF_REFERRAL,
    REFERRAL_LOOP,
    REFERRAL_CAP_REACHED,
    ALREADY_REFERRED,
    NOT_A_NEW_MEMBER,
    /** The database could not serve the request; it may have taken effect or not, so send it again with the same key. */
    SERVICE_UNAVAILABLE,
    /** Households and transfers between members (package transfer). */
    HOUSEHOLD_NOT_FOUND,
    ALREADY_IN_HOUSEHOLD,
    HOUSEHOLD_FULL,
    INVITATION_NOT_FOUND,
    TRANSFER_NOT_FOUND,
    TRANSFER_ALREADY_RESOLVED,
    /** Paid membership (package membership). */
    CLUB_NOT_FOUND,
    /** The calling partner may not sell this club (clubs.yaml, soldBy). */
    CLUB_NOT_SOLD_HERE,
    /** The member already has an active membership of this club. */
    CLUB_MEMBERSHIP_ACTIVE,
    PAID_MEMBERSHIP_NOT_FOUND,
    /** The membership has lapsed, was refunded, or (for a renewal) was cancelled to run to its end. */
    PAID_MEMBERSHIP_ENDED
}
