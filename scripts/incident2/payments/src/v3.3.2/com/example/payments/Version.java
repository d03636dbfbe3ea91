package com.example.payments;

final class Version {
    static final String VERSION = "3.3.2";

    private Version() {}
}
