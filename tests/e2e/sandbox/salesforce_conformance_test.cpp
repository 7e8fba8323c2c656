// Salesforce sandbox conformance (API spec Part C, Salesforce items).
#include <doctest/doctest.h>
