// Patient progress page: draws the charts from the JSON the page embeds (json_script with
// id "progress-data"). Every chart has a table alternative in the page, so nothing here is
// the only way to read the figures.
(function () {
  "use strict";
  var source = document.getElementById("progress-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var Chart = window.Chart;
  var INK = "#14202b";
  // A percentage as every page writes it (apps/core/formats.py, percent_text): "57 %",
  // "40.6 %", never "57%".
  function percentText(value) {
    return String(Math.round(value * 10) / 10) + " %";
  }
  var LEVEL_COLOURS = ["#0b5e6b", "#7a4b00", "#1d6b2f", "#5b2a86", "#a3141c", "#08434c"];
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  Chart.defaults.color = INK;
  Chart.defaults.font.size = 14;
  Chart.defaults.maintainAspectRatio = false;
  if (reduceMotion) {
    Chart.defaults.animation = false;
  }

  function shortDate(iso) {
    var parts = iso.split("-");
    var day = new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2]));
    return day.toLocaleDateString(undefined, { day: "numeric", month: "short", timeZone: "UTC" });
  }

  // A week with sets prescribed and none done is a real 0 %: a bar of height 0 drew nothing,
  // which looked like a week with nothing prescribed (no bar, no label). Its bar is kept a
  // thin line on the axis (minBarLength) and "0 %" is written over it, when the week's slot
  // has room for the words (not with a year of weeks on a phone: the line alone says it).
  var zeroWeekLabels = {
    id: "zeroWeekLabels",
    afterDatasetsDraw: function (chart) {
      var bars = chart.getDatasetMeta(0).data;
      var slot = (chart.chartArea.right - chart.chartArea.left) / Math.max(bars.length, 1);
      var ctx = chart.ctx;
      var text = percentText(0);
      ctx.save();
      ctx.fillStyle = INK;
      ctx.font = Chart.helpers.toFont(Chart.defaults.font).string;
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      if (ctx.measureText(text).width < slot) {
        data.weeks.forEach(function (week, i) {
          if (week.percent === 0) { ctx.fillText(text, bars[i].x, bars[i].y - 4); }
        });
      }
      ctx.restore();
    }
  };

  function drawWeeks(canvas) {
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.weeks.map(function (w) { return shortDate(w.start); }),
        datasets: [{
          label: "Adherence (%)",
          data: data.weeks.map(function (w) { return w.percent; }),
          backgroundColor: "#0b5e6b",
          minBarLength: 3
        }]
      },
      plugins: [zeroWeekLabels],
      options: {
        scales: { y: { min: 0, max: 100, title: { display: true, text: "% of prescribed sets done" } } },
        plugins: {
          tooltip: {
            callbacks: {
              label: function (ctx) { return "Adherence: " + percentText(ctx.parsed.y); },
              afterLabel: function (ctx) {
                var week = data.weeks[ctx.dataIndex];
                return week.completed + " of " + week.prescribed + " sets";
              }
            }
          }
        }
      }
    });
  }

  // Vertical dashed lines at the days a ladder level changed.
  var levelChangeLines = {
    id: "levelChangeLines",
    afterDatasetsDraw: function (chart, args, options) {
      var xScale = chart.scales.x;
      var area = chart.chartArea;
      var ctx = chart.ctx;
      (options.indexes || []).forEach(function (index) {
        var x = xScale.getPixelForValue(index);
        ctx.save();
        ctx.strokeStyle = INK;
        ctx.setLineDash([6, 4]);
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.moveTo(x, area.top);
        ctx.lineTo(x, area.bottom);
        ctx.stroke();
        ctx.restore();
      });
    }
  };

  function drawLadder(canvas, ladder) {
    var days = {};
    ladder.points.forEach(function (p) { days[p.day] = true; });
    ladder.changes.forEach(function (c) { days[c.day] = true; });
    var labels = Object.keys(days).sort();
    var levels = [];
    ladder.points.forEach(function (p) {
      if (levels.indexOf(p.level) === -1) { levels.push(p.level); }
    });
    levels.sort(function (a, b) { return a - b; });
    var datasets = levels.map(function (level, i) {
      var byDay = {};
      ladder.points.forEach(function (p) { if (p.level === level) { byDay[p.day] = p.reps; } });
      var colour = LEVEL_COLOURS[i % LEVEL_COLOURS.length];
      return {
        label: level === null ? "Best reps" : "Level " + level,
        data: labels.map(function (day) { return day in byDay ? byDay[day] : null; }),
        borderColor: colour,
        backgroundColor: colour,
        pointStyle: ["circle", "rect", "triangle", "rectRot", "star", "cross"][i % 6],
        pointRadius: 5,
        spanGaps: true
      };
    });
    new Chart(canvas, {
      type: "line",
      data: { labels: labels.map(shortDate), datasets: datasets },
      options: {
        // offset keeps a single day's point off the y-axis, as on the pain chart.
        scales: { x: { offset: true }, y: { beginAtZero: true, title: { display: true, text: "Best reps in one set" } } },
        plugins: {
          levelChangeLines: { indexes: ladder.changes.map(function (c) { return labels.indexOf(c.day); }) }
        }
      },
      plugins: [levelChangeLines]
    });
  }

  // A dashed rule across the whole plot at the clinic's alert level. Drawn as a line dataset
  // it needed two days of logs: with one day there was a single point and no line at all.
  // The empty dataset of that name keeps the legend entry, and hiding it there hides the rule.
  var alertLevelRule = {
    id: "alertLevelRule",
    afterDatasetsDraw: function (chart, args, options) {
      if (options.dataset === undefined || !chart.isDatasetVisible(options.dataset)) { return; }
      var area = chart.chartArea;
      var y = chart.scales.y.getPixelForValue(options.level);
      var ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = INK;
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(area.left, y);
      ctx.lineTo(area.right, y);
      ctx.stroke();
      ctx.restore();
    }
  };

  function drawPain(canvas) {
    var labels = data.pain.map(function (p) { return shortDate(p.day); });
    var datasets = [
      { label: "Highest pain", data: data.pain.map(function (p) { return p.max; }), borderColor: "#a3141c", backgroundColor: "#a3141c", pointStyle: "triangle", pointRadius: 4 },
      { label: "Average pain", data: data.pain.map(function (p) { return p.avg; }), borderColor: "#0b5e6b", backgroundColor: "#0b5e6b", pointRadius: 3 }
    ];
    var rule = {};
    if (data.pain_alert_level) {
      rule = { dataset: datasets.length, level: data.pain_alert_level };
      datasets.push({
        label: "Alert level (" + data.pain_alert_level + ")",
        data: [], borderColor: INK, borderDash: [6, 4], pointRadius: 0, borderWidth: 1
      });
    }
    new Chart(canvas, {
      type: "line",
      data: { labels: labels, datasets: datasets },
      options: {
        // Days sit in the middle of their own slot, so a single day is not drawn on the axis.
        scales: { x: { offset: true }, y: { min: 0, max: 10, title: { display: true, text: "Pain (0–10)" } } },
        plugins: { alertLevelRule: rule }
      },
      plugins: [alertLevelRule]
    });
  }

  var weeks = document.getElementById("chart-weeks");
  if (weeks) { drawWeeks(weeks); }
  document.querySelectorAll("canvas[data-ladder]").forEach(function (canvas) {
    drawLadder(canvas, data.ladders[+canvas.getAttribute("data-ladder")]);
  });
  var pain = document.getElementById("chart-pain");
  if (pain) { drawPain(pain); }
})();
