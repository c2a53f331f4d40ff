/**
 * A seeded synthetic buy-now-pay-later lending world (see docs/synthetic-credit.md). Each customer
 * has latent traits (risk propensity, income level and volatility, spending style, tenure start,
 * fraud) and a month-by-month state (income shocks, bank balance, stress, debts) that drives what
 * they do: bank transactions, purchases, applications and loans, installments and repayments whose
 * lateness grows with stress, and quarterly bureau snapshots. First-party bust-out fraudsters behave
 * well, build credit, then take several loans at once and never repay. Every customer is simulated
 * from its own generator seeded by (seed, customer index), so customers stream one at a time and
 * any customer can be regenerated alone.
 */
import type {
  ApplicationEvent,
  BankTxnEvent,
  BureauEvent,
  Channel,
  CreditEvent,
  InstallmentDueEvent,
  LoanEvent,
  PurchaseEvent,
  RepaymentEvent,
} from '../../credit/events/schema.js';
import { compareEvents } from '../../credit/events/schema.js';
import { checkInt, usage } from '../options.js';
import { Rng } from '../../lib/rng.js';
import { addMonthsUtc, DAY_MS } from '../../lib/time.js';

/** What world to generate. */
export interface LendingWorldOptions {
  customers: number;
  /** Months simulated from `start` (24 or more gives matured 12-month outcomes). */
  months: number;
  seed: number;
  /** Epoch ms of the first month (default 2023-01-01T00:00:00Z); the day is taken as the 1st. */
  start?: number;
  /** A macro shock from `at` on: incomes drop, job losses and stress rise, in proportion to `severity` (1 = a hard recession). */
  shock?: { at: number; severity: number };
  /** Share of customers who are first-party bust-out fraudsters (default 0.01). */
  fraudRate?: number;
}

/** Options with defaults filled in and validated. */
export interface ResolvedLendingWorld {
  customers: number;
  months: number;
  seed: number;
  start: number;
  /** Exclusive end of the world: no event happens at or after it. */
  end: number;
  shock: { at: number; severity: number } | null;
  fraudRate: number;
}

/** What is true of a customer by construction. */
export interface CustomerTruth {
  customerId: string;
  /** Latent risk propensity, standard normal for ordinary customers (higher = riskier). */
  latentRisk: number;
  fraud: boolean;
  /** Typical monthly net income. */
  income: number;
  /** Month-to-month log-sd of income. */
  incomeVolatility: number;
  /** Share of typical income spent each month. */
  spendRatio: number;
  /** Month index (0-based) at which the customer arrives. */
  tenureStartMonth: number;
  /** Month index of the bust-out, for fraudsters. */
  bustOutMonth: number | null;
}

/** What is true of a loan by construction (the rule of `loanOutcomes` with dpd 60, horizon 12 months, asOf = world end). */
export interface LoanTruth {
  loanId: string;
  customerId: string;
  originatedAt: number;
  amount: number;
  installments: number;
  /** Taken in a bust-out (never repaid by design). */
  bustOut: boolean;
  defaulted60: boolean;
  /** When the loan first reached 60 days past due (epoch ms), or null. */
  defaultTime: number | null;
  /** True when the whole 12-month horizon lies inside the world, so a non-default is final. */
  matured: boolean;
}

/** One simulated customer: truth, their loans' truth, and their events sorted by event time. */
export interface CustomerWorld {
  truth: CustomerTruth;
  loans: LoanTruth[];
  events: CreditEvent[];
}

/** A whole world held in memory (small worlds and tests; use `lendingCustomers` to stream). */
export interface LendingWorld {
  options: ResolvedLendingWorld;
  customers: CustomerTruth[];
  loans: LoanTruth[];
  /** All events sorted by event time, then event id. */
  events: CreditEvent[];
}

/** The outcome rule the generator's loan truth follows. */
export const TRUTH_RULE = { dpd: 60, horizonMonths: 12 } as const;

const DEFAULT_START = Date.UTC(2023, 0, 1);
const MERCHANT_CATEGORIES = ['electronics', 'fashion', 'home', 'travel', 'beauty', 'sports', 'groceries', 'health', 'education', 'entertainment'] as const;
const CHANNELS_BY_WEIGHT: readonly Channel[] = ['online', 'online', 'online', 'app', 'app', 'in_store'];

/** Validates options and fills in defaults; throws IriskError USAGE on bad options. */
export function resolveLendingWorld(options: LendingWorldOptions): ResolvedLendingWorld {
  const customers = checkInt('customers', options.customers, 1, 9_999_999);
  const months = checkInt('months', options.months, 1, 240);
  const seed = checkInt('seed', options.seed, 0, 2 ** 32 - 1);
  const rawStart = options.start ?? DEFAULT_START;
  if (typeof rawStart !== 'number' || !Number.isFinite(rawStart) || rawStart < Date.UTC(2001, 0, 1) || rawStart > Date.UTC(2200, 0, 1)) {
    throw usage(`start must be an epoch-ms time between 2001 and 2200, got ${String(rawStart)}`, { start: rawStart });
  }
  const s = new Date(rawStart);
  const start = Date.UTC(s.getUTCFullYear(), s.getUTCMonth(), 1);
  const fraudRate = options.fraudRate ?? 0.01;
  if (typeof fraudRate !== 'number' || !(fraudRate >= 0 && fraudRate <= 0.5)) {
    throw usage(`fraudRate must be between 0 and 0.5, got ${String(fraudRate)}`, { fraudRate });
  }
  let shock: ResolvedLendingWorld['shock'] = null;
  if (options.shock) {
    const { at, severity } = options.shock;
    if (typeof at !== 'number' || !Number.isFinite(at)) throw usage(`shock.at must be an epoch-ms time, got ${String(at)}`, { at });
    if (typeof severity !== 'number' || !(severity >= 0 && severity <= 5)) {
      throw usage(`shock.severity must be between 0 and 5, got ${String(severity)}`, { severity });
    }
    shock = { at, severity };
  }
  return { customers, months, seed, start, end: addMonthsUtc(start, months), shock, fraudRate };
}

/** Customer id of the 1-based customer index. */
export function creditCustomerId(index: number): string {
  return `C${String(index).padStart(7, '0')}`;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);
const cents = (x: number): number => Math.round(x * 100) / 100;

function poisson(rng: Rng, lambda: number): number {
  const l = Math.exp(-lambda);
  let k = 0;
  let p = rng.next();
  while (p > l) {
    k++;
    p *= rng.next();
  }
  return k;
}

interface Installment {
  no: number;
  due: number;
  amount: number;
  /** Days late it was (or will be) repaid; Infinity = never. */
  late: number;
}

interface ActiveLoan {
  loanId: string;
  t0: number;
  amount: number;
  n: number;
  perInstallment: number;
  bustOut: boolean;
  abandoned: boolean;
  schedule: Installment[];
  nextNo: number;
}

/**
 * Simulates one customer (1-based `index`) of a resolved world: deterministic in (seed, index).
 * Events are sorted by event time, then id, and all lie in [start, end).
 */
export function simulateCustomer(w: ResolvedLendingWorld, index: number): CustomerWorld {
  const rng = new Rng(`irisk-credit:${w.seed}:${index}`);
  const customerId = creditCustomerId(index);
  const events: CreditEvent[] = [];
  let seq = 0;
  const idPrefix = `E${String(index).padStart(7, '0')}`;
  const nextId = (): string => `${idPrefix}${String(++seq).padStart(6, '0')}`;
  const ingest = (t: number, lo: number, hi: number): number => {
    let d = rng.uniform(lo, hi);
    if (rng.chance(0.01)) d += rng.uniform(1, 10) * DAY_MS; // a late arrival
    return Math.round(t + d);
  };

  // Latent traits.
  const fraud = rng.chance(w.fraudRate);
  const risk = fraud ? rng.normal(-0.7, 0.4) : rng.normal();
  const income = Math.round(Math.exp(rng.normal(Math.log(2600) - 0.15 * risk, 0.45)));
  const incomeVolatility = clamp(0.04 + 0.07 * Math.abs(rng.normal()) + 0.04 * Math.max(risk, 0), 0.02, 0.5);
  const spendRatio = clamp(0.8 + 0.1 * risk + rng.normal(0, 0.05), 0.55, 1.15);
  const impulsivity = Math.exp(rng.normal(0.2 * risk, 0.45));
  const tenureStartMonth = fraud
    ? rng.int(0, Math.max(0, w.months - 10))
    : rng.chance(0.4)
      ? 0
      : rng.int(0, Math.max(0, Math.floor(w.months * 0.6)));
  const bustOutMonth = fraud ? Math.min(w.months - 1, tenureStartMonth + rng.int(6, 10)) : null;
  const salaryDay = rng.int(0, 27);
  const overdraft = 0.5 * income;

  // State.
  let balance = cents(income * (Math.exp(rng.normal(-0.5 * risk, 0.8)) - 0.3));
  let stress = clamp(sigmoid(-1.5 + 0.9 * risk + rng.normal(0, 0.3)), 0, 1);
  let shockLeft = 0;
  let shockKeep = 1;
  let extDebt = income * Math.exp(rng.normal(0.3 + 0.4 * risk, 0.8));
  const extAccounts = rng.int(1, 5) + (risk > 0.5 ? 1 : 0);
  const extDelinquencies = poisson(rng, 0.4 * Math.exp(risk));
  let bureauScore = 0;
  let repaidLastMonth = 0;
  const applications: number[] = [];
  const loans: ActiveLoan[] = [];
  const lateHistory: Installment[] = [];
  let loanCount = 0;

  const push = <E extends CreditEvent>(e: E): void => {
    if (e.eventTime < w.end) events.push(e);
  };

  const outstanding = (): number => {
    let s = 0;
    for (const l of loans) for (let k = l.nextNo; k <= l.n; k++) s += l.perInstallment;
    return s;
  };

  const bureau = (t: number): void => {
    const ownDelinq = lateHistory.filter((i) => i.late >= 30 && i.due + 30 * DAY_MS <= t).length;
    const inq = applications.filter((a) => a > t - 182 * DAY_MS).length + poisson(rng, 0.4 * impulsivity);
    const active = loans.filter((l) => l.nextNo <= l.n).length;
    const delinquencies = extDelinquencies + ownDelinq;
    bureauScore = Math.round(clamp(700 - 55 * risk - 160 * (stress - 0.2) - 14 * delinquencies - 6 * inq + rng.normal(0, 20), 300, 850));
    push<BureauEvent>({
      eventId: nextId(),
      customerId,
      type: 'bureau',
      eventTime: t,
      ingestedAt: ingest(t, DAY_MS, 3 * DAY_MS),
      bureauScore,
      openAccounts: Math.min(1000, extAccounts + active),
      delinquencies: Math.min(1000, delinquencies),
      inquiries6m: Math.min(1000, inq),
      totalDebt: cents(extDebt + outstanding()),
    });
  };

  const originate = (t: number, amount: number, category: string, bustOut: boolean): void => {
    const n = bustOut ? rng.pick([6, 9, 12]) : amount < 200 ? rng.pick([3, 4]) : amount < 800 ? rng.pick([3, 4, 6]) : rng.pick([6, 9, 12]);
    const loanId = `L${String(index).padStart(7, '0')}-${String(++loanCount).padStart(3, '0')}`;
    const lt = Math.round(t + rng.uniform(60_000, 30 * 60_000));
    const perInstallment = cents(amount / n);
    push<LoanEvent>({
      eventId: nextId(),
      customerId,
      type: 'loan',
      eventTime: lt,
      ingestedAt: ingest(lt, 100, 5000),
      loanId,
      amount,
      termMonths: n,
      installments: n,
      merchantCategory: category,
    });
    const schedule: Installment[] = [];
    for (let k = 1; k <= n; k++) schedule.push({ no: k, due: addMonthsUtc(lt, k), amount: perInstallment, late: 0 });
    loans.push({ loanId, t0: lt, amount, n, perInstallment, bustOut, abandoned: false, schedule, nextNo: 1 });
  };

  const apply = (t: number, amount: number, approveAll: boolean, bustOut: boolean): void => {
    const category = rng.pick(MERCHANT_CATEGORIES);
    const channel = rng.pick(CHANNELS_BY_WEIGHT);
    const declared = rng.chance(0.5) ? Math.round(income * Math.exp(rng.normal(fraud ? 0.2 : 0.05, 0.1))) : undefined;
    const app: ApplicationEvent = {
      eventId: nextId(),
      customerId,
      type: 'application',
      eventTime: t,
      ingestedAt: ingest(t, 100, 5000),
      amount,
      channel,
      merchantCategory: category,
      ...(declared !== undefined ? { income: declared } : {}),
    };
    push(app);
    applications.push(t);
    // The incumbent policy: bureau floor, no loan in arrears, at most three loans open.
    const open = loans.filter((l) => l.nextNo <= l.n);
    const arrears = open.some((l) => l.abandoned || l.schedule.some((i) => i.no < l.nextNo && i.late >= 30 && i.due + i.late * DAY_MS > t));
    const approve = approveAll || (bureauScore >= 560 && !arrears && open.length < 3 && rng.chance(0.92));
    if (approve) originate(t, amount, category, bustOut);
  };

  for (let m = tenureStartMonth; m < w.months; m++) {
    const monthStart = addMonthsUtc(w.start, m);
    const monthEnd = addMonthsUtc(w.start, m + 1);
    const days = (monthEnd - monthStart) / DAY_MS;
    const at = (day: number): number => Math.round(monthStart + clamp(day, 0, days - 0.05) * DAY_MS);
    const macro = w.shock && monthStart >= w.shock.at ? w.shock.severity : 0;
    const gone = bustOutMonth !== null && m > bustOutMonth;
    if (gone) for (const l of loans) l.abandoned = true; // the fraudster has vanished

    // Income shocks (job loss, reduced hours): more likely for risky customers and after a macro shock.
    if (shockLeft > 0) shockLeft--;
    else if (rng.chance(0.012 + 0.02 * sigmoid(1.2 * risk) + 0.04 * macro)) {
      shockLeft = rng.int(1, 6);
      shockKeep = rng.uniform(0, 0.6);
    }
    const shocked = shockLeft > 0;
    const keep = shocked ? (shockKeep < 0.1 ? 0 : shockKeep) : 1;
    const monthIncome = cents(income * Math.exp(rng.normal(0, incomeVolatility)) * keep * (1 - 0.15 * Math.min(macro, 2)));

    // Bank transactions: salary, bills, card spending, sometimes a transfer in; balance after each.
    let minBalance = balance;
    if (!gone) {
      const spend = income * spendRatio * Math.exp(rng.normal(0, 0.08)) * (shocked ? 0.85 : 1) + repaidLastMonth;
      const txns: { t: number; amount: number }[] = [];
      if (monthIncome > 0) txns.push({ t: at(salaryDay + rng.uniform(0, 0.9)), amount: monthIncome });
      txns.push({ t: at(rng.uniform(0, 5)), amount: -cents(spend * 0.45) });
      txns.push({ t: at(rng.uniform(8, 28)), amount: -cents(spend * 0.55) });
      if (rng.chance(0.15)) txns.push({ t: at(rng.uniform(0, days)), amount: cents(income * rng.uniform(0.05, 0.3)) });
      txns.sort((a, b) => a.t - b.t);
      for (const x of txns) {
        let amount = x.amount;
        if (balance + amount < -overdraft) amount = Math.min(0, cents(-overdraft - balance)); // the bank refuses the rest
        balance = cents(balance + amount);
        if (balance < minBalance) minBalance = balance;
        push<BankTxnEvent>({ eventId: nextId(), customerId, type: 'bank_txn', eventTime: x.t, ingestedAt: ingest(x.t, 60_000, 6 * 3_600_000), amount, balance });
      }
    }

    // Stress: persistent, from latent risk, thin or negative balances, income shocks, debt and the macro shock.
    const debtLoad = (outstanding() + 0.1 * extDebt) / Math.max(income, 1);
    const inst = sigmoid(-2 + 1.4 * risk + 2.2 * clamp(-minBalance / income, 0, 1.5) + 1.3 * (shocked ? 1 - keep : 0) + 0.5 * debtLoad + 0.8 * macro + rng.normal(0, 0.3));
    stress = gone ? 1 : 0.6 * stress + 0.4 * inst;
    extDebt *= Math.exp(rng.normal(0.005 + 0.04 * stress, 0.04));

    // Installments due this month and their repayment, late in proportion to stress.
    repaidLastMonth = 0;
    for (const loan of loans) {
      while (loan.nextNo <= loan.n && loan.schedule[loan.nextNo - 1]!.due < monthEnd) {
        const inst = loan.schedule[loan.nextNo - 1]!;
        loan.nextNo++;
        push<InstallmentDueEvent>({
          eventId: nextId(),
          customerId,
          type: 'installment_due',
          eventTime: inst.due,
          ingestedAt: ingest(inst.due, 0, 60_000),
          loanId: loan.loanId,
          installmentNo: inst.no,
          amount: inst.amount,
        });
        if (loan.bustOut || loan.abandoned) {
          inst.late = Infinity;
        } else if (!rng.chance(0.03 + 0.9 * stress ** 1.5)) {
          inst.late = 0;
        } else if (rng.chance(0.02 + 0.5 * stress * stress)) {
          inst.late = rng.chance(0.6) ? Infinity : rng.int(60, 150);
          if (rng.chance(0.85)) loan.abandoned = true;
        } else {
          inst.late = Math.min(59, 1 + Math.floor(-Math.log(1 - rng.next()) * (3 + 25 * stress)));
        }
        lateHistory.push(inst);
        if (Number.isFinite(inst.late)) {
          const rt = Math.round(inst.due + inst.late * DAY_MS + rng.uniform(0, 0.9 * DAY_MS));
          repaidLastMonth += inst.amount;
          push<RepaymentEvent>({
            eventId: nextId(),
            customerId,
            type: 'repayment',
            eventTime: rt,
            ingestedAt: ingest(rt, 60_000, 2 * 3_600_000),
            loanId: loan.loanId,
            installmentNo: inst.no,
            amount: inst.amount,
            daysLate: inst.late,
          });
        }
      }
    }

    // Quarterly bureau snapshot (also one on arrival, so the policy has a score).
    if ((m - tenureStartMonth) % 3 === 0) bureau(at(rng.uniform(0, 2)));
    if (gone) continue;

    // Purchases with the lender's card or wallet.
    const nPurchases = Math.min(6, poisson(rng, 0.7 * impulsivity));
    for (let k = 0; k < nPurchases; k++) {
      const t = at(rng.uniform(0, days));
      push<PurchaseEvent>({
        eventId: nextId(),
        customerId,
        type: 'purchase',
        eventTime: t,
        ingestedAt: ingest(t, 100, 5000),
        amount: cents(clamp(Math.exp(rng.normal(Math.log(60), 0.8)), 1, 3000)),
        merchantCategory: rng.pick(MERCHANT_CATEGORIES),
        channel: rng.pick(CHANNELS_BY_WEIGHT),
      });
    }

    // Applications: the bust-out takes several large loans within days; otherwise stress and impulsivity drive borrowing.
    if (m === bustOutMonth) {
      const k = rng.int(3, 5);
      const d0 = rng.uniform(2, Math.max(2, days - 12));
      for (let j = 0; j < k; j++) apply(at(d0 + rng.uniform(0, 10)), cents(rng.uniform(800, 2500)), true, true);
    } else if (rng.chance(Math.min(0.5, (fraud ? 0.12 : 0.07 * impulsivity ** 0.7) * (1 + 1.2 * stress)))) {
      const amount = cents(clamp(Math.exp(rng.normal(Math.log(fraud ? 150 : 350), 0.7)), 50, 5000));
      apply(at(rng.uniform(3, days - 1)), amount, false, false);
    }
  }

  events.sort(compareEvents);
  const truthLoans: LoanTruth[] = loans.map((l) => {
    const horizonEnd = addMonthsUtc(l.t0, TRUTH_RULE.horizonMonths);
    const cut = Math.min(horizonEnd, w.end);
    let defaultTime: number | null = null;
    for (const i of l.schedule) {
      const hit = i.due + TRUTH_RULE.dpd * DAY_MS;
      if (i.late >= TRUTH_RULE.dpd && hit <= cut && (defaultTime === null || hit < defaultTime)) defaultTime = hit;
    }
    return {
      loanId: l.loanId,
      customerId,
      originatedAt: l.t0,
      amount: l.amount,
      installments: l.n,
      bustOut: l.bustOut,
      defaulted60: defaultTime !== null,
      defaultTime,
      matured: horizonEnd <= w.end,
    };
  });
  return {
    truth: { customerId, latentRisk: risk, fraud, income, incomeVolatility, spendRatio, tenureStartMonth, bustOutMonth },
    loans: truthLoans.filter((l) => l.originatedAt < w.end),
    events,
  };
}

/** Streams the customers of a world one at a time (memory stays bounded by one customer). */
export function* lendingCustomers(options: LendingWorldOptions | ResolvedLendingWorld): Generator<CustomerWorld> {
  const w = 'end' in options ? options : resolveLendingWorld(options);
  for (let i = 1; i <= w.customers; i++) yield simulateCustomer(w, i);
}

/** Generates a whole world in memory, events sorted by event time then id. For large worlds stream with `lendingCustomers` or write with `writeLendingWorld`. */
export function generateLendingWorld(options: LendingWorldOptions): LendingWorld {
  const w = resolveLendingWorld(options);
  const customers: CustomerTruth[] = [];
  const loans: LoanTruth[] = [];
  const events: CreditEvent[] = [];
  for (const c of lendingCustomers(w)) {
    customers.push(c.truth);
    for (const l of c.loans) loans.push(l);
    for (const e of c.events) events.push(e);
  }
  events.sort(compareEvents);
  return { options: w, customers, loans, events };
}
