package com.example.payments;

final class Version {
    static final String VERSION = "3.4.0";

    private Version() {}
}
