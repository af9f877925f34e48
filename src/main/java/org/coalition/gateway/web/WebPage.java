package org.coalition.gateway.web;

import java.text.NumberFormat;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.Locale;

import org.coalition.gateway.tenancy.Caller;

/**
 * What every page shows around its content: the section for the navigation, the signed-in person's CSRF token for
 * its forms, and numbers and dates in the page's language. Times are shown in UTC, as they are stored.
 */
public record WebPage(Locale locale, String section, String csrf, Caller caller) {

    /** The template in this page's language (its message bundle {@code msg}). */
    public io.quarkus.qute.TemplateInstance in(io.quarkus.qute.TemplateInstance template) {
        return template.setLocale(locale);
    }

    public String points(Number points) {
        return NumberFormat.getIntegerInstance(locale).format(points.longValue());
    }

    public String signedPoints(Number signed) {
        long points = signed.longValue();
        return (points > 0 ? "+" : points < 0 ? "\u2212" : "") + points(Math.abs(points));
    }

    public String amount(java.math.BigDecimal amount) {
        NumberFormat format = NumberFormat.getNumberInstance(locale);
        format.setMinimumFractionDigits(2);
        format.setMaximumFractionDigits(2);
        return format.format(amount);
    }

    public String date(Instant instant) {
        return instant == null ? "" : DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM).withLocale(locale)
                .format(instant.atZone(ZoneOffset.UTC));
    }

    public String dateTime(Instant instant) {
        return instant == null ? "" : DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT)
                .withLocale(locale).format(instant.atZone(ZoneOffset.UTC));
    }

    public String lang() {
        return locale.getLanguage();
    }

    public boolean isMember() {
        return caller != null && caller.isMember();
    }

    public boolean isPartner() {
        return caller != null && caller.isPartner();
    }

    /** Whether the signed-in partner user holds this scope (the navigation shows only what they may open). */
    public boolean may(String scope) {
        return caller != null && caller.permissions().stream().anyMatch(permission -> permission.scope().equals(scope));
    }

    public boolean isSettlement() {
        return caller != null && caller.seesAllPartners();
    }
}
