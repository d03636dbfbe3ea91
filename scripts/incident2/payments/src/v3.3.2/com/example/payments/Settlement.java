package com.example.payments;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/** Settlement converts a charge into euros, the currency payments settles in. */
final class Settlement {
    /** EUR per unit of each currency. */
    private static final Map<String, BigDecimal> EUR_PER_UNIT = Map.of(
            "EUR", BigDecimal.ONE,
            "USD", new BigDecimal("0.9259"),
            "GBP", new BigDecimal("1.1628"),
            "CHF", new BigDecimal("1.0638"));

    static BigDecimal toEur(BigDecimal amount, String currency) {
        BigDecimal rate = EUR_PER_UNIT.get(currency);
        if (rate == null) {
            throw new IllegalArgumentException("unsupported currency " + currency);
        }
        return amount.multiply(rate).setScale(2, RoundingMode.HALF_EVEN);
    }

    private Settlement() {}
}
