import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../rules';
import { classifyHomeMean, classifyReading, isAtTarget } from './bp-category';

const rules = DEFAULT_RULES;

describe('classifyReading (ACC/AHA 2017 office categories)', () => {
  it.each`
    sbp      | dbp     | category      | why
    ${119}   | ${79}   | ${'NORMAL'}   | ${'both below the first thresholds'}
    ${120}   | ${79}   | ${'ELEVATED'} | ${'SBP 120 starts elevated'}
    ${129}   | ${79}   | ${'ELEVATED'} | ${'SBP 129 still elevated'}
    ${130}   | ${79}   | ${'STAGE_1'}  | ${'SBP 130 starts stage 1'}
    ${139}   | ${79}   | ${'STAGE_1'}  | ${'SBP 139 still stage 1'}
    ${140}   | ${79}   | ${'STAGE_2'}  | ${'SBP 140 starts stage 2'}
    ${180}   | ${79}   | ${'STAGE_2'}  | ${'SBP 180 is not yet crisis'}
    ${181}   | ${79}   | ${'CRISIS'}   | ${'SBP 181 is crisis'}
    ${119}   | ${80}   | ${'STAGE_1'}  | ${'DBP 80 starts stage 1'}
    ${119}   | ${89}   | ${'STAGE_1'}  | ${'DBP 89 still stage 1'}
    ${119}   | ${90}   | ${'STAGE_2'}  | ${'DBP 90 starts stage 2'}
    ${130}   | ${120}  | ${'STAGE_2'}  | ${'DBP 120 is not yet crisis'}
    ${140}   | ${121}  | ${'CRISIS'}   | ${'DBP 121 is crisis'}
    ${125}   | ${85}   | ${'STAGE_1'}  | ${'elevated SBP and stage 1 DBP: the higher wins'}
    ${135}   | ${95}   | ${'STAGE_2'}  | ${'stage 1 SBP and stage 2 DBP: the higher wins'}
    ${185}   | ${70}   | ${'CRISIS'}   | ${'crisis SBP with normal DBP'}
    ${129.5} | ${79.9} | ${'ELEVATED'} | ${'converted values below a threshold stay below it'}
  `(
    '$sbp/$dbp -> $category ($why)',
    ({ sbp, dbp, category }: { sbp: number; dbp: number; category: string }) => {
      expect(classifyReading({ sbp, dbp }, rules).category).toBe(category);
    },
  );

  it.each`
    sbp    | dbp    | crisisRange
    ${180} | ${120} | ${false}
    ${181} | ${120} | ${true}
    ${180} | ${121} | ${true}
  `(
    'crisis flag at $sbp/$dbp is $crisisRange',
    ({ sbp, dbp, crisisRange }: { sbp: number; dbp: number; crisisRange: boolean }) => {
      const result = classifyReading({ sbp, dbp }, rules);
      expect(result.crisisRange).toBe(crisisRange);
      expect(result.flags.includes('CRISIS_RANGE')).toBe(crisisRange);
    },
  );

  it.each`
    sbp   | dbp   | hypotensive | flags
    ${90} | ${60} | ${false}    | ${[]}
    ${89} | ${60} | ${true}     | ${['HYPOTENSIVE_SYSTOLIC']}
    ${90} | ${59} | ${true}     | ${['HYPOTENSIVE_DIASTOLIC']}
    ${85} | ${55} | ${true}     | ${['HYPOTENSIVE_SYSTOLIC', 'HYPOTENSIVE_DIASTOLIC']}
  `(
    'hypotensive flag at $sbp/$dbp is $hypotensive',
    ({
      sbp,
      dbp,
      hypotensive,
      flags,
    }: {
      sbp: number;
      dbp: number;
      hypotensive: boolean;
      flags: string[];
    }) => {
      const result = classifyReading({ sbp, dbp }, rules);
      expect(result.hypotensive).toBe(hypotensive);
      expect(result.flags).toEqual(flags);
      expect(result.category).toBe('NORMAL');
    },
  );

  it('reads its thresholds from the rules table, not from literals', () => {
    const stricter = { ...rules, officeCategories: { ...rules.officeCategories, crisisSbpAbove: 170 } };
    expect(classifyReading({ sbp: 175, dbp: 80 }, stricter).category).toBe('CRISIS');
    expect(classifyReading({ sbp: 175, dbp: 80 }, rules).category).toBe('STAGE_2');
  });
});

describe('classifyHomeMean (home-equivalent thresholds, ACC/AHA Table 11)', () => {
  it.each`
    sbp    | dbp   | category
    ${119} | ${79} | ${'NORMAL'}
    ${120} | ${79} | ${'ELEVATED'}
    ${129} | ${79} | ${'ELEVATED'}
    ${130} | ${79} | ${'STAGE_1'}
    ${134} | ${79} | ${'STAGE_1'}
    ${135} | ${79} | ${'STAGE_2'}
    ${119} | ${80} | ${'STAGE_1'}
    ${119} | ${84} | ${'STAGE_1'}
    ${119} | ${85} | ${'STAGE_2'}
    ${138} | ${82} | ${'STAGE_2'}
    ${190} | ${95} | ${'STAGE_2'}
  `(
    'home mean $sbp/$dbp -> $category',
    ({ sbp, dbp, category }: { sbp: number; dbp: number; category: string }) => {
      expect(classifyHomeMean({ sbp, dbp }, rules)).toBe(category);
    },
  );

  it('uses the home equivalents of the office thresholds listed in the rules table', () => {
    const home = rules.homeThresholds;
    const homeOf = (sbp: number, dbp: number) =>
      home.equivalents.find((row) => row.office.sbp === sbp && row.office.dbp === dbp)?.home;
    const office = rules.officeCategories;
    expect(homeOf(office.elevatedSbpFrom, office.stage1DbpFrom)?.sbp).toBe(home.elevatedSbpFrom);
    expect(homeOf(office.stage1SbpFrom, office.stage1DbpFrom)).toEqual({
      sbp: home.stage1SbpFrom,
      dbp: home.stage1DbpFrom,
    });
    expect(homeOf(office.stage2SbpFrom, office.stage2DbpFrom)).toEqual({
      sbp: home.stage2SbpFrom,
      dbp: home.stage2DbpFrom,
    });
  });

  it.each`
    sbp      | dbp     | atTarget
    ${129}   | ${79}   | ${true}
    ${129.9} | ${79.9} | ${true}
    ${130}   | ${79}   | ${false}
    ${129}   | ${80}   | ${false}
  `(
    'default home target 130/80: $sbp/$dbp at target is $atTarget',
    ({ sbp, dbp, atTarget }: { sbp: number; dbp: number; atTarget: boolean }) => {
      expect(isAtTarget({ sbp, dbp }, rules.homeThresholds.defaultTarget)).toBe(atTarget);
    },
  );
});
