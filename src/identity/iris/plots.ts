/** The plots of an iris evaluation: the DET curve and the genuine/impostor distance distributions. */
import type { VerificationReport } from '../../ml/evaluation/biometric.js';
import type { DetPoint, Histogram } from '../../ml/evaluation/curves.js';
import { detCurveSvg, scoreHistogramSvg, writePlot } from '../../ml/evaluation/plots.js';

/** Writes det.svg/png and scores.svg/png into dir; returns the file paths. */
export async function writeIrisPlots(
  dir: string,
  det: DetPoint[],
  hist: { genuine: Histogram; impostor: Histogram },
  report: VerificationReport,
): Promise<string[]> {
  const subtitle = `${report.genuinePairs} genuine, ${report.impostorPairs} impostor pairs, ${report.subjects} subjects`;
  const detFiles = await writePlot(dir, 'det', detCurveSvg([{ name: 'iris pipeline', points: det, eer: report.eer }], { title: 'DET curve', subtitle }));
  const histFiles = await writePlot(
    dir,
    'scores',
    scoreHistogramSvg(hist.genuine, hist.impostor, { title: 'Fractional Hamming distance', subtitle, xLabel: 'distance (minimum over rotations)' }),
  );
  return [detFiles.svg, detFiles.png, histFiles.svg, histFiles.png];
}
