// Apache ECharts, tree-shaken to what the reports draw: bars (stacked, negative ones too) and a
// line, with axes, tooltips, a legend, a marked line (a target) and the ARIA description. The SVG
// renderer keeps text crisp in the desktop webview and in printouts. Imported when a chart first
// opens (the reports), so the other screens never load, parse or hold it.
import { BarChart, LineChart } from "echarts/charts";
import { AriaComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, AriaComponent, SVGRenderer]);

export { echarts };
