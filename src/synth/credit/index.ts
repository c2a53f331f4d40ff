/**
 * A seeded synthetic buy-now-pay-later lending world: customers with latent traits and monthly
 * state, their events in the lender's schema, and the truth about every customer and loan.
 * See docs/synthetic-credit.md.
 */
export {
  generateLendingWorld,
  lendingCustomers,
  simulateCustomer,
  resolveLendingWorld,
  creditCustomerId,
  TRUTH_RULE,
} from './world.js';
export type { LendingWorldOptions, ResolvedLendingWorld, CustomerTruth, LoanTruth, CustomerWorld, LendingWorld } from './world.js';
export { writeLendingWorld, eventToJson, lendingOptionsToJson, emptyCounts, addToCounts, CUSTOMER_COLUMNS, LOAN_COLUMNS } from './write.js';
export type { LendingWorldCounts, WrittenLendingWorld } from './write.js';
