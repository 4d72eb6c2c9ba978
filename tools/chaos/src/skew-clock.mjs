// Preloaded (`node --import`) into one worker of a chaos run: its clock runs CHAOS_CLOCK_SKEW_MS ahead.
const skew = Number(process.env.CHAOS_CLOCK_SKEW_MS ?? 0);
if (skew) {
  const RealDate = Date;
  const realNow = RealDate.now;
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(realNow() + skew);
      else super(...args);
    }
    static now() {
      return realNow() + skew;
    }
  }
  globalThis.Date = SkewedDate;
}
