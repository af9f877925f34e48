package org.coalition.gateway.web;

import java.util.List;
import java.util.Locale;

import jakarta.ws.rs.core.HttpHeaders;

/** The page language: the first of Dutch and English in the browser's Accept-Language, English otherwise. */
public final class WebLocale {

    public static final Locale DUTCH = Locale.forLanguageTag("nl");

    private WebLocale() {
    }

    public static Locale of(HttpHeaders headers) {
        return of(headers.getAcceptableLanguages());
    }

    static Locale of(List<Locale> acceptable) {
        for (Locale locale : acceptable) {
            String language = locale.getLanguage();
            if ("nl".equals(language)) {
                return DUTCH;
            }
            if ("en".equals(language)) {
                return Locale.ENGLISH;
            }
        }
        return Locale.ENGLISH;
    }
}
