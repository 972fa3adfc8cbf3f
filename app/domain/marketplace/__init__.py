"""Marketplace: the pricing engine, fee schedules and their distribution, currency conversion.

The pure rules the listings, quotes and orders are built on:

- `pricing`: a base price per tonne adjusted by bounded, explained factors (project type,
  vintage age, verifier reputation, quality labels, supply and demand), never below the
  seller's floor price;
- `fees`: platform (or enterprise), and payment-method fees on a subtotal, and how the total
  is shared between the issuer, the platform and the payment processor to the minor unit;
- `fx`: converting money with a rate from the `ExchangeRates` port, the rate kept for the
  quote and the order.

Money is `Decimal` in an ISO 4217 currency, rounded half-even to its minor units; quantities
are integer kilograms."""
